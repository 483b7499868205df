/**
 * Property test of the accounting core against an independent reference model.
 *
 * The reference keeps, per asset, a SIGNED quantity S (+long, −short) and a SIGNED cost K, with no
 * long/short branches: same sign (or flat) adds; opposite sign releases K × closed / |S|. It rounds
 * with decimal.js's own toDecimalPlaces (full-precision quotient, then 18 places half-even), not
 * with the implementation's integer-quotient-plus-remainder routine. Inputs are built with the
 * default global Decimal (20 significant digits) so any hidden use of the caller's precision in
 * the implementation shows up as a mismatch.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Decimal } from 'decimal.js';
import fc from 'fast-check';
import { applyFill, type FillSide, type PositionState } from '../../src/trading/position-accounting.ts';
import { applyFillToTrade, type TradeState } from '../../src/trading/round-trips.ts';

const R = Decimal.clone({ precision: 1000, rounding: Decimal.ROUND_HALF_EVEN });
const round18 = (x: Decimal) => new R(x).toDecimalPlaces(18, Decimal.ROUND_HALF_EVEN);

interface RefAsset {
  S: Decimal;
  K: Decimal;
  lifecycleRealized: Decimal;
}

/** Reference step; returns the net realized P&L of the fill. */
function refApply(a: RefAsset, side: FillSide, q: Decimal, p: Decimal, fee: Decimal): Decimal {
  const dq = side === 'buy' ? new R(q) : new R(q).neg();
  if (a.S.isZero() || a.S.s === dq.s) {
    if (a.S.isZero()) a.lifecycleRealized = new R(0);
    a.S = a.S.plus(dq);
    a.K = a.K.plus(dq.times(p));
    a.lifecycleRealized = a.lifecycleRealized.minus(fee);
    return new R(fee).neg();
  }
  const absS = a.S.abs();
  const c = R.min(dq.abs(), absS);
  const share = c.eq(absS) ? a.K : round18(a.K.times(c).div(absS));
  const gross = c.times(p).times(a.S.s).minus(share);
  const rest = dq.abs().minus(c);
  const closingFee = rest.gt(0) ? round18(new R(fee).times(c).div(dq.abs())) : new R(fee);
  a.lifecycleRealized = a.lifecycleRealized.plus(gross).minus(closingFee);
  a.K = a.K.minus(share);
  a.S = a.S.plus(c.times(dq.s));
  if (rest.gt(0)) {
    a.S = rest.times(dq.s);
    a.K = rest.times(p).times(dq.s);
    a.lifecycleRealized = new R(fee).minus(closingFee).neg();
  }
  return gross.minus(fee);
}

/** Random decimals with up to 8 places, built through the global (20-digit) Decimal. */
const decimal8 = (maxMantissa: bigint, min = 1n) =>
  fc
    .tuple(fc.bigInt({ min, max: maxMantissa }), fc.integer({ min: 0, max: 8 }))
    .map(([m, scale]) => new Decimal(`${m}e-${scale}`));

const op = fc.record({
  asset: fc.integer({ min: 0, max: 2 }),
  side: fc.constantFrom<FillSide>('buy', 'sell'),
  // how the quantity relates to the open position: exact closes and flips must be common
  kind: fc.constantFrom('random', 'random', 'closeAll', 'flip'),
  quantity: decimal8(10n ** 12n),
  price: decimal8(10n ** 14n, 0n),
  fee: fc.oneof(
    decimal8(10n ** 6n, 0n),
    decimal8(10n ** 4n).map((x) => x.neg()),
  ),
});

function signedCost(p: PositionState | null): Decimal {
  if (p === null || p.status === 'closed') return new R(0);
  return p.side === 'long' ? new R(p.costBasis) : new R(p.costBasis).neg();
}

describe('accounting property: applyFill and round trips vs a signed-cost reference', () => {
  test('position, realized P&L, cash and trade rows agree with the reference after every fill', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 40 }), (ops) => {
        const initialCash = new R('1000000');
        let cash = initialCash;
        let refCash = initialCash;
        let realized = new R(0);
        let refRealized = new R(0);
        let gross = new R(0);
        let fees = new R(0);
        const positions: Array<PositionState | null> = [null, null, null];
        const openTrades: Array<TradeState | null> = [null, null, null];
        let tradePnl = new R(0); // Σ pnl of all round trips ever opened (closed + open)
        let tradeFees = new R(0);
        const ref: RefAsset[] = [0, 1, 2].map(() => ({
          S: new R(0),
          K: new R(0),
          lifecycleRealized: new R(0),
        }));

        for (const o of ops) {
          const r = ref[o.asset]!;
          let side = o.side;
          let quantity = o.quantity;
          if (!r.S.isZero() && o.kind !== 'random') {
            side = r.S.gt(0) ? 'sell' : 'buy';
            quantity =
              o.kind === 'closeAll' ? new Decimal(r.S.abs()) : new Decimal(r.S.abs().plus(o.quantity));
          }
          const fill = { side, quantity, price: o.price, fee: o.fee, at: new Date(0) };

          const effect = applyFill(positions[o.asset]!, fill);
          const prevTrade = openTrades[o.asset]!;
          const update = applyFillToTrade(prevTrade, fill, effect);
          positions[o.asset] = effect.position;

          cash = cash.plus(effect.cashDelta);
          realized = realized.plus(effect.realizedPnl);
          gross = gross.plus(effect.grossRealizedPnl);
          fees = fees.plus(o.fee);
          const notional = new R(quantity).times(o.price);
          refCash = refCash.plus(side === 'buy' ? notional.neg() : notional).minus(o.fee);
          refRealized = refRealized.plus(refApply(r, side, quantity, o.price, o.fee));

          // round trips: their pnl and fees move exactly with the fill's realized P&L and fee
          const before = prevTrade
            ? { pnl: prevTrade.pnl, fees: prevTrade.fees }
            : { pnl: new R(0), fees: new R(0) };
          const after = update.trade ?? { pnl: new R(0), fees: new R(0) };
          const openedPart = update.opened ?? { pnl: new R(0), fees: new R(0) };
          tradePnl = tradePnl.plus(after.pnl).minus(before.pnl).plus(openedPart.pnl);
          tradeFees = tradeFees.plus(after.fees).minus(before.fees).plus(openedPart.fees);
          if (effect.closedPosition) {
            assert.ok(update.trade, 'a closed lifecycle has a round trip');
            assert.notEqual(update.trade.outcome, 'open');
            assert.ok(
              update.trade.pnl.eq(effect.closedPosition.realizedPnl),
              'closed trade pnl = lifecycle realized',
            );
          }
          const nowOpen =
            update.opened ?? (update.trade && update.trade.outcome === 'open' ? update.trade : null);
          openTrades[o.asset] = nowOpen;

          // position vs reference
          const p = effect.position;
          if (r.S.isZero()) {
            assert.equal(p.status, 'closed');
            assert.ok(p.quantity.isZero() && p.costBasis.isZero());
          } else {
            assert.equal(p.status, 'open');
            assert.equal(p.side, r.S.gt(0) ? 'long' : 'short');
            assert.ok(p.quantity.eq(r.S.abs()), `quantity ${p.quantity} vs ${r.S.abs()}`);
            assert.ok(p.costBasis.eq(r.K.abs()), `costBasis ${p.costBasis} vs ${r.K.abs()}`);
            assert.ok(p.averageEntryPrice.eq(round18(r.K.abs().div(r.S.abs()))), 'averageEntryPrice');
            assert.ok(nowOpen, 'an open position has an open round trip');
            assert.ok(nowOpen.pnl.eq(p.realizedPnl), 'open trade pnl = lifecycle realized');
            assert.equal(nowOpen.direction, p.side);
          }
          assert.ok(
            p.realizedPnl.eq(r.lifecycleRealized),
            `lifecycle realized ${p.realizedPnl} vs ${r.lifecycleRealized}`,
          );
          assert.ok(realized.eq(refRealized), `realized ${realized} vs ${refRealized}`);
          assert.ok(cash.eq(refCash), `cash ${cash} vs ${refCash}`);

          // ledger invariant: cash + Σ position value at cost − initial = gross realized − fees
          const atCost = positions.reduce<Decimal>((acc, pos) => acc.plus(signedCost(pos)), new R(0));
          assert.ok(
            cash.plus(atCost).minus(initialCash).eq(gross.minus(fees)),
            'cash + cost − initial = gross − fees',
          );
          assert.ok(realized.eq(gross.minus(fees)), 'net realized = gross − fees');
          assert.ok(tradePnl.eq(realized), `Σ trade pnl ${tradePnl} vs realized ${realized}`);
          assert.ok(tradeFees.eq(fees), 'Σ trade fees = Σ fill fees');
        }
      }),
      { numRuns: 1500 },
    );
  });
});
