import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config/env.ts';
import { redact, redactUrl } from '../../src/config/secrets.ts';

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

  test('no error shows a secret: a URL keeps its user and host, loses its password; SECRET_KEY only its length', () => {
    assert.throws(
      () => loadConfig({ DATABASE_URL: 'mysql://admin:S3cretPW@db/x' }, dirWith({})),
      (e: unknown) =>
        e instanceof ConfigError &&
        e.message.startsWith('DATABASE_URL="mysql://admin:***@db/x" is invalid: accepted: sqlite:') &&
        !e.message.includes('S3cretPW'),
    );
    assert.throws(
      () => loadConfig({ SECRET_KEY: 'hunter2-but-too-short' }, dirWith({})),
      (e: unknown) =>
        e instanceof ConfigError &&
        e.message ===
          'SECRET_KEY (21 characters, not shown) is invalid: accepted: a random string of at least 32 characters',
    );
    // From a file, and given as a flag, the same.
    assert.throws(
      () => loadConfig({}, dirWith({ '.env.local': 'SECRET_KEY=short-secret-value\n' })),
      (e: unknown) => e instanceof Error && !e.message.includes('short-secret-value'),
    );
    assert.throws(
      () =>
        loadConfig({}, dirWith({}), { DATABASE_URL: { flag: '--db', value: 'oracle://sys:Tiger%40Pw@h/x' } }),
      (e: unknown) =>
        e instanceof ConfigError &&
        e.message.startsWith('--db "oracle://sys:***@h/x" is invalid') &&
        !/Tiger/.test(e.message),
    );
  });

  test('a PostgreSQL URL that does not parse is refused here, named, its password hidden', () => {
    assert.throws(
      () => loadConfig({ DATABASE_URL: 'postgres://admin:S3cretPW@127.0.0.1:abc/x' }, dirWith({})),
      (e: unknown) =>
        e instanceof ConfigError &&
        /^DATABASE_URL="postgres:\/\/admin:\*\*\*@127\.0\.0\.1:abc\/x" is invalid: not a valid URL/.test(
          e.message,
        ),
    );
  });

  test('redact masks URL passwords in free text and every secret the configuration was given', () => {
    assert.equal(
      redact('connect to postgres://bot:pa55@db:5432/x failed; retry postgresql://u:p@q@h/y'),
      'connect to postgres://bot:***@db:5432/x failed; retry postgresql://u:***@h/y',
    );
    assert.equal(redactUrl('postgres://bot:pa%2Fss@db/x'), 'postgres://bot:***@db/x');
    assert.equal(redactUrl('postgres://bot@db/x'), 'postgres://bot@db/x');
    assert.equal(redactUrl('sqlite:data/x.db'), 'sqlite:data/x.db');
    const key = 'k'.repeat(8) + 'Z'.repeat(32);
    loadConfig({ SECRET_KEY: key, DATABASE_URL: 'postgres://bot:p%40ss-word@db/x' }, dirWith({}));
    // A driver quoting the secrets bare (decoded, outside any URL) is masked too.
    assert.equal(
      redact(`key ${key} and password p@ss-word and p%40ss-word`),
      'key *** and password *** and ***',
    );
  });

  test("a flag is checked by its variable's schema and wins over a bad variable", () => {
    const dir = dirWith({ '.env': 'HOST=not a host\n' });
    const c = loadConfig({ PORT: '70000' }, dir, {
      PORT: { flag: '--port', value: '8081' },
      HOST: { flag: '--host', value: '0.0.0.0' },
    });
    assert.equal(c.PORT, 8081);
    assert.equal(c.HOST, '0.0.0.0');
    for (const value of ['70000', 'abc', '', '80.5', '1e3', '-1']) {
      assert.throws(
        () => loadConfig({ PORT: '8080' }, dirWith({}), { PORT: { flag: '--port', value } }),
        (e: unknown) =>
          e instanceof ConfigError &&
          e.message ===
            `--port ${JSON.stringify(value)} is invalid: accepted: a whole number from 0 to 65535 (0: any free port)`,
      );
    }
    // Without the flag the bad variable still stops the program.
    assert.throws(() => loadConfig({ PORT: '70000' }, dirWith({})), /ConfigError: PORT="70000" is invalid/);
  });
});
