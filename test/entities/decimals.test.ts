import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Decimal } from 'decimal.js';
import fc from 'fast-check';
import { AccountSnapshot, Asset } from '../../src/entities/all-tables.ts';
import { ZERO } from '../../src/trading/exact.ts';
import { eachDialect } from '../support/dialects.ts';

/** Up to 20 integer and 18 fractional digits, either sign: the widest numeric(38,18) value. */
const exactDecimal = fc
  .tuple(
    fc.boolean(),
    fc.bigInt({ min: 0n, max: 10n ** 20n - 1n }),
    fc.bigInt({ min: 0n, max: 10n ** 18n - 1n }),
    fc.integer({ min: 0, max: 18 }),
  )
  .map(([negative, int, frac, scale]) => {
    const digits = frac.toString().padStart(18, '0').slice(0, scale);
    return new Decimal(`${negative ? '-' : ''}${int}${scale ? `.${digits}` : ''}`);
  });

eachDialect('exact decimals', (ctx) => {
  test('10,000 random decimals (20 integer, 18 fractional digits) read back equal, and sums agree', async () => {
    const values = fc.sample(exactDecimal, { numRuns: 10_000 });
    const em = ctx.store.em();
    const at = new Date(Date.UTC(2024, 0, 1));
    values.forEach((v, i) => {
      em.create(AccountSnapshot, {
        balance: v,
        equity: v.abs(),
        marginUsed: new Decimal(0),
        marginFree: new Decimal(0),
        openPl: v.negated(),
        openPositions: 0,
        capturedAt: new Date(at.getTime() + i),
      } as never);
      if (i < 2000)
        em.create(Asset, {
          symbol: `D${i}`,
          venue: 'decimals',
          kind: 'crypto',
          tickSize: v.abs(),
          lotSize: v,
        } as never);
    });
    await em.flush();

    const fresh = ctx.store.em();
    const snapshots = await fresh.find(AccountSnapshot, {}, { orderBy: { capturedAt: 'asc' } });
    assert.equal(snapshots.length, values.length);
    snapshots.forEach((s, i) => {
      assert.ok(s.balance instanceof Decimal, 'read back as Decimal');
      assert.equal(s.balance.toFixed(), values[i]!.toFixed(), `row ${i}`);
      assert.equal(s.openPl.toFixed(), values[i]!.negated().toFixed());
    });
    const assets = await fresh.find(Asset, { venue: 'decimals' }, { orderBy: { id: 'asc' } });
    assets.forEach((a, i) => {
      assert.equal(a.lotSize?.toFixed(), values[i]!.toFixed(), `asset ${i}`);
    });
    // decimal.js rounds to 20 significant digits by default: sums go through the trading core's
    // high-precision `Exact`, as the services' sums do.
    const read = snapshots.reduce((acc, s) => acc.plus(s.balance), ZERO);
    const expected = values.reduce((acc, v) => acc.plus(v), ZERO);
    assert.ok(expected.precision(true) > 20, 'the sum needs more than decimal.js default precision');
    assert.equal(read.toFixed(), expected.toFixed());
    // Unchanged values are not dirty: nothing to write.
    await fresh.flush();
    const [row] = (await fresh
      .getConnection()
      .execute('select count(*) as n from account_snapshots')) as Array<{ n: unknown }>;
    assert.equal(Number(row?.n), values.length);
    if (ctx.dialect === 'postgresql') {
      const [sum] = (await fresh
        .getConnection()
        .execute('select sum(balance)::text as s from account_snapshots')) as Array<{ s: string }>;
      assert.equal(new Decimal(sum!.s).toFixed(), expected.toFixed(), 'NUMERIC sums in SQL are exact too');
    }
  });
});
