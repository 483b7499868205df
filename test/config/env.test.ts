import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config/env.ts';

const dirWith = (files: Record<string, string>) => {
  const dir = mkdtempSync(join(tmpdir(), 'tradestore-env-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
};

describe('config', () => {
  test('defaults when nothing is set', () => {
    const c = loadConfig({}, dirWith({}));
    assert.equal(c.DATABASE_URL, 'sqlite:data/tradestore.db');
    assert.equal(c.PORT, 8080);
    assert.equal(c.HOST, '127.0.0.1');
    assert.equal(c.MIGRATE_ON_START, true);
  });

  test('process env > .env.local > .env', () => {
    const dir = dirWith({
      '.env': 'PORT=1111\nHOST=from-env\nLOG_LEVEL=warn\n',
      '.env.local': 'PORT=2222\nHOST=from-local\n',
    });
    const c = loadConfig({ PORT: '3333' }, dir);
    assert.equal(c.PORT, 3333);
    assert.equal(c.HOST, 'from-local');
    assert.equal(c.LOG_LEVEL, 'warn');
  });

  test('a bad value names the variable and what is accepted', () => {
    assert.throws(
      () => loadConfig({ DATABASE_URL: 'mysql://x@y/z' }, dirWith({})),
      (e: unknown) =>
        e instanceof ConfigError &&
        /^DATABASE_URL="mysql:\/\/x@y\/z" is invalid: accepted: sqlite:/.test(e.message),
    );
    assert.throws(
      () => loadConfig({ PORT: 'abc' }, dirWith({})),
      (e: unknown) =>
        e instanceof ConfigError && /^PORT="abc" is invalid: accepted: a whole number/.test(e.message),
    );
    assert.throws(() => loadConfig({ MIGRATE_ON_START: 'maybe' }, dirWith({})), /MIGRATE_ON_START/);
  });
});
