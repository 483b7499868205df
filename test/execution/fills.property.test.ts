/**
 * Property test of the fill path against a reference model, on both databases.
 *
 * Random sequences of order placements (buys, sells, sizes that exactly close or flip a position),
 * partial and full fills, cancels and invalid fills on three assets go through placeOrder,
 * recordFill and cancelOrder. After every step the database's open positions (side, quantity, cost
 * basis), realized P&L (Σ over position lifecycles, and Σ of round-trip pnl), cash and order states
 * equal a reference model written here with decimal.js alone (signed quantity and signed cost per
 * asset, no long/short branches). A step the model says is inconsistent (a fill larger than the
 * order's remaining quantity, a fill or cancel on a filled or canceled order) must be refused with
 * a RefusedError (bad input, a broken trading rule, an illegal transition) and leave every row as it was.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { Decimal } from 'decimal.js';
import fc from 'fast-check';
import { recordFill } from '../../src/execution/fills.ts';
import { cancelOrder, placeOrder } from '../../src/execution/orders.ts';
import { RefusedError } from '../../src/input/errors.ts';
import { IllegalTransitionError } from '../../src/trading/transitions.ts';
import { eachDialect } from '../support/dialects.ts';
import { createAssets, createTestPortfolio, createUser } from './fixtures.ts';

const D = Decimal.clone({ precision: 200, rounding: Decimal.ROUND_HALF_EVEN });
const round18 = (x: Decimal) => new D(x).toDecimalPlaces(18, Decimal.ROUND_HALF_EVEN);
const INITIAL = new D('1000000');
/** A decimal column read back raw (string on both databases). */
const num = (v: unknown) => new D(String(v));
const RUNS = Number(process.env.TRADESTORE_PROPERTY_RUNS ?? 50);

interface RefAsset {
  S: Decimal; // signed open quantity
  K: Decimal; // signed cost basis (+ long, − short)
}
interface RefOrder {
  id: number;
  asset: number;
  side: 'buy' | 'sell';
  quantity: Decimal;
  filled: Decimal;
  status: 'new' | 'partially_filled' | 'filled' | 'canceled';
}
interface Model {
  assets: RefAsset[];
  orders: RefOrder[];
  cash: Decimal;
  realized: Decimal;
}

function refFill(m: Model, asset: number, side: 'buy' | 'sell', q: Decimal, p: Decimal, fee: Decimal): void {
  const a = m.assets[asset]!;
  const dq = side === 'buy' ? q : q.neg();
  const notional = q.times(p);
  m.cash = side === 'buy' ? m.cash.minus(notional).minus(fee) : m.cash.plus(notional).minus(fee);
  if (a.S.isZero() || a.S.s === dq.s) {
    a.S = a.S.plus(dq);
    a.K = a.K.plus(dq.times(p));
    m.realized = m.realized.minus(fee);
    return;
  }
  const absS = a.S.abs();
  const c = D.min(q, absS);
  const share = c.eq(absS) ? a.K : round18(a.K.times(c).div(absS));
  const gross = c.times(p).times(a.S.s).minus(share);
  m.realized = m.realized.plus(gross).minus(fee);
  a.K = a.K.minus(share);
  a.S = a.S.plus(c.times(dq.s));
  const rest = q.minus(c);
  if (rest.gt(0)) {
    a.S = rest.times(dq.s);
    a.K = rest.times(p).times(dq.s);
  }
}

const dec = (maxMantissa: number, scale: number, min = 1) =>
  fc
    .tuple(fc.integer({ min, max: maxMantissa }), fc.integer({ min: 0, max: scale }))
    .map(([m, s]) => new D(`${m}e-${s}`));

const command = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('place' as const),
      asset: fc.integer({ min: 0, max: 2 }),
      side: fc.constantFrom<'buy' | 'sell'>('buy', 'sell'),
      // random size, or exactly what closes the position, or more than it (a flip)
      size: fc.constantFrom('random', 'close', 'close', 'flip', 'flip'),
      quantity: dec(5_000_000, 6),
      // fill it at once: in one piece, in two pieces, partly (left open), or not yet
      fillNow: fc.constantFrom('all', 'all', 'split', 'part', 'none'),
      fraction: fc.integer({ min: 1, max: 99 }),
      price: dec(20_000_000, 4),
      fee: fc.oneof(
        dec(100_000, 5, 0),
        dec(1000, 4).map((x) => x.neg()),
      ),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('fill' as const),
      order: fc.nat(),
      // mostly an order that can still take fills; sometimes any order (filled/canceled ones refuse)
      target: fc.constantFrom('open', 'open', 'open', 'any'),
      part: fc.constantFrom('all', 'all', 'part', 'over'),
      fraction: fc.integer({ min: 1, max: 99 }),
      price: dec(20_000_000, 4),
      fee: fc.oneof(
        dec(100_000, 5, 0),
        dec(1000, 4).map((x) => x.neg()),
      ),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('cancel' as const),
      order: fc.nat(),
      target: fc.constantFrom('open', 'any'),
    }),
  },
);

eachDialect('fills property: DB positions, P&L and cash follow the reference model', (ctx) => {
  let ownerId = 0;
  let assets: number[] = [];

  before(async () => {
    ownerId = (await createUser(ctx.store)).id;
    assets = await createAssets(ctx.store, ['BTC/USDT', 'ETH/USDT', 'SOL/USDT'], `prop-${ctx.dialect}`);
  });

  async function dbState(portfolioId: number) {
    const k = ctx.store.kysely;
    const [portfolio, positions, trades, orders, fills] = await Promise.all([
      k.selectFrom('portfolios').selectAll().where('id', '=', portfolioId).execute(),
      k.selectFrom('positions').selectAll().where('portfolio_id', '=', portfolioId).orderBy('id').execute(),
      k.selectFrom('trades').selectAll().where('portfolio_id', '=', portfolioId).orderBy('id').execute(),
      k.selectFrom('orders').selectAll().where('portfolio_id', '=', portfolioId).orderBy('id').execute(),
      k
        .selectFrom('fills')
        .selectAll('fills')
        .innerJoin('orders', 'orders.id', 'fills.order_id')
        .where('orders.portfolio_id', '=', portfolioId)
        .orderBy('fills.id')
        .execute(),
    ]);
    return { portfolio, positions, trades, orders, fills };
  }

  function check(m: Model, state: Awaited<ReturnType<typeof dbState>>, step: string) {
    assert.ok(
      num(state.portfolio[0]!.cash_balance).eq(m.cash),
      `${step}: cash ${state.portfolio[0]!.cash_balance} vs ${m.cash}`,
    );
    const realized = state.positions.reduce<Decimal>((s, p) => s.plus(num(p.realized_pnl)), new D(0));
    assert.ok(realized.eq(m.realized), `${step}: realized ${realized} vs ${m.realized}`);
    const tradePnl = state.trades.reduce<Decimal>((s, t) => s.plus(num(t.pnl)), new D(0));
    assert.ok(tradePnl.eq(m.realized), `${step}: Σ trade pnl ${tradePnl} vs ${m.realized}`);
    m.assets.forEach((a, i) => {
      const open = state.positions.filter((p) => Number(p.asset_id) === assets[i] && p.status === 'open');
      const openTrades = state.trades.filter((t) => Number(t.asset_id) === assets[i] && t.outcome === 'open');
      if (a.S.isZero()) {
        assert.equal(open.length, 0, `${step}: asset ${i} should be flat`);
        assert.equal(openTrades.length, 0, `${step}: asset ${i} has an open round trip while flat`);
        return;
      }
      assert.equal(open.length, 1, `${step}: asset ${i} should have one open position`);
      assert.equal(openTrades.length, 1, `${step}: asset ${i} should have one open round trip`);
      const p = open[0]!;
      assert.equal(p.side, a.S.gt(0) ? 'long' : 'short', `${step}: side of asset ${i}`);
      assert.ok(num(p.quantity).eq(a.S.abs()), `${step}: quantity ${p.quantity} vs ${a.S.abs()}`);
      assert.ok(num(p.cost_basis).eq(a.K.abs()), `${step}: cost basis ${p.cost_basis} vs ${a.K.abs()}`);
      assert.equal(openTrades[0]!.direction, p.side);
    });
    // cash − initial + Σ signed cost = Σ realized (the accounting identity, from the database alone)
    const signedCost = state.positions
      .filter((p) => p.status === 'open')
      .reduce<Decimal>(
        (s, p) => (p.side === 'long' ? s.plus(num(p.cost_basis)) : s.minus(num(p.cost_basis))),
        new D(0),
      );
    assert.ok(
      num(state.portfolio[0]!.cash_balance).minus(INITIAL).plus(signedCost).eq(realized),
      `${step}: identity`,
    );
    for (const o of m.orders) {
      const row = state.orders.find((r) => Number(r.id) === o.id)!;
      assert.equal(row.status, o.status, `${step}: order ${o.id} status`);
      const filled = state.fills
        .filter((f) => Number(f.order_id) === o.id)
        .reduce<Decimal>((s, f) => s.plus(num(f.quantity)), new D(0));
      assert.ok(filled.eq(o.filled), `${step}: order ${o.id} filled ${filled} vs ${o.filled}`);
    }
  }

  test('random buys, sells, partial fills, flips and refused steps', { timeout: 600_000 }, async (t) => {
    const seen = { fills: 0, flips: 0, closes: 0, refused: 0, cancels: 0 };
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 3, maxLength: 10, size: 'max' }), async (commands) => {
        const portfolio = await createTestPortfolio(ctx.store, ownerId, INITIAL.toString());
        const m: Model = {
          assets: assets.map(() => ({ S: new D(0), K: new D(0) })),
          orders: [],
          cash: INITIAL,
          realized: new D(0),
        };
        const applyValidFill = async (
          m: Model,
          o: RefOrder,
          quantity: Decimal,
          price: Decimal,
          fee: Decimal,
          step: string,
        ) => {
          const result = await recordFill(ctx.store, {
            orderId: o.id,
            quantity: quantity.toString(),
            price,
            fee,
          });
          seen.fills += 1;
          if (result.closedPosition) seen.closes += 1;
          if (result.closedPosition && result.position) seen.flips += 1;
          refFill(m, o.asset, o.side, quantity, price, fee);
          o.filled = o.filled.plus(quantity);
          o.status = o.filled.eq(o.quantity) ? 'filled' : 'partially_filled';
          assert.ok(result.cashBalance.eq(m.cash), `${step}: returned cash`);
          check(m, await dbState(portfolio.id), step);
        };
        for (const [n, c] of commands.entries()) {
          const step = `step ${n} ${JSON.stringify(c)}`;
          if (c.kind === 'place') {
            const a = m.assets[c.asset]!;
            const side = c.size === 'random' ? c.side : a.S.gt(0) ? 'sell' : 'buy';
            let quantity: Decimal = c.quantity;
            if (!a.S.isZero() && c.size === 'close') quantity = a.S.abs();
            if (!a.S.isZero() && c.size === 'flip') quantity = a.S.abs().plus(c.quantity);
            const { order } = await placeOrder(ctx.store, {
              portfolioId: portfolio.id,
              assetId: assets[c.asset]!,
              side,
              quantity: quantity.toString(),
            });
            const o: RefOrder = {
              id: order.id,
              asset: c.asset,
              side,
              quantity,
              filled: new D(0),
              status: 'new',
            };
            m.orders.push(o);
            const first = round18(quantity.times(c.fraction).div(100));
            const pieces =
              c.fillNow === 'all'
                ? [quantity]
                : c.fillNow === 'split'
                  ? [first, quantity.minus(first)]
                  : c.fillNow === 'part'
                    ? [first]
                    : [];
            for (const [i, piece] of pieces.entries()) {
              if (!piece.gt(0)) continue;
              await applyValidFill(m, o, piece, c.price.plus(i), c.fee, `${step} piece ${i}`);
            }
            continue;
          }
          if (m.orders.length === 0) continue;
          const openOrders = m.orders.filter((x) => x.status === 'new' || x.status === 'partially_filled');
          const pool = c.target === 'open' && openOrders.length > 0 ? openOrders : m.orders;
          const o = pool[c.order % pool.length]!;
          const before = await dbState(portfolio.id);
          const open = o.status === 'new' || o.status === 'partially_filled';
          if (c.kind === 'cancel') {
            if (open) {
              await cancelOrder(ctx.store, { orderId: o.id });
              o.status = 'canceled';
              seen.cancels += 1;
            } else {
              await assert.rejects(cancelOrder(ctx.store, { orderId: o.id }), IllegalTransitionError, step);
              seen.refused += 1;
              assert.deepEqual(
                await dbState(portfolio.id),
                before,
                `${step}: refused cancel changed the database`,
              );
            }
            check(m, await dbState(portfolio.id), step);
            continue;
          }
          const remaining = o.quantity.minus(o.filled);
          const quantity =
            c.part === 'all'
              ? remaining
              : c.part === 'part'
                ? D.max(round18(remaining.times(c.fraction).div(100)), new D('1e-18'))
                : remaining.plus(new D(c.fraction).div(1000));
          const valid = open && quantity.gt(0) && quantity.lte(remaining);
          const fill = () =>
            recordFill(ctx.store, {
              orderId: o.id,
              quantity: quantity.toString(),
              price: c.price,
              fee: c.fee,
            });
          if (!valid) {
            await assert.rejects(fill(), RefusedError, step);
            seen.refused += 1;
            assert.deepEqual(
              await dbState(portfolio.id),
              before,
              `${step}: refused fill changed the database`,
            );
            continue;
          }
          await applyValidFill(m, o, quantity, c.price, c.fee, step);
        }
      }),
      { numRuns: RUNS },
    );
    t.diagnostic(JSON.stringify(seen));
    // The generator must exercise what the property is about.
    assert.ok(
      seen.fills > RUNS && seen.flips > 0 && seen.closes > seen.flips && seen.refused > 0,
      JSON.stringify(seen),
    );
  });
});
