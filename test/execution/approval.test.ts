/**
 * The approval workflow on both databases: humans approve or reject ideas that need approval;
 * every transition the core does not allow is refused with IllegalTransitionError and changes no
 * row; decision_history gets exactly the expected rows, and refuses updates and deletes.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { DecisionHistory, TradeIdea } from '../../src/entities/all-tables.ts';
import * as decisions from '../../src/audit/decision-history.ts';
import { listDecisions } from '../../src/audit/decision-history.ts';
import {
  approveTradeIdea,
  evaluateTradeIdea,
  expireTradeIdea,
  expireTradeIdeas,
  getTradeIdea,
  listTradeIdeas,
  proposeTradeIdea,
  queueTradeIdea,
  rejectTradeIdea,
} from '../../src/execution/ideas.ts';
import { cancelOrder, placeOrder } from '../../src/execution/orders.ts';
import { TradingError } from '../../src/input/errors.ts';
import { haltAiTrading, resumeAiTrading } from '../../src/portfolios/risk-configs.ts';
import {
  canTransition,
  IllegalTransitionError,
  TRADE_IDEA_STATUSES,
  type TradeIdeaStatus,
} from '../../src/trading/transitions.ts';
import { eachDialect } from '../support/dialects.ts';
import { createAssets, createTestPortfolio, createUser, openGate, tradingState } from './fixtures.ts';

type Human = 'approved' | 'rejected' | 'expired';
const HUMAN_STEPS: Human[] = ['approved', 'rejected', 'expired'];

eachDialect('approval workflow', (ctx) => {
  let trader = { id: 0, email: '' };
  let viewer = { id: 0, email: '' };
  let inactive = { id: 0, email: '' };
  let portfolioId = 0;
  let asset = 0;

  before(async () => {
    trader = await createUser(ctx.store, 'trader');
    viewer = await createUser(ctx.store, 'viewer');
    inactive = await createUser(ctx.store, 'admin', false);
    portfolioId = (await createTestPortfolio(ctx.store, trader.id)).id;
    [asset] = (await createAssets(ctx.store, ['BTC/USDT'], `approval-${ctx.dialect}`)) as [number];
  });

  /** An idea in the given status, reached through the services (waiting: written through the ORM). */
  async function ideaIn(status: TradeIdeaStatus): Promise<number> {
    if (status === 'waiting') {
      const em = ctx.store.em();
      const idea = em.create(TradeIdea, {
        portfolio: portfolioId,
        asset,
        direction: 'long',
        confidence: 0.5,
      });
      await em.flush();
      return idea.id;
    }
    await openGate(ctx.store, {
      aiTradingEnabled: status === 'auto_executed',
      maxLotSize: status === 'halted_by_risk' ? '1' : null,
    });
    const { idea } = await proposeTradeIdea(ctx.store, {
      portfolioId,
      assetId: asset,
      direction: 'long',
      quantity: '2',
      confidence: 0.8,
    });
    if (status === 'approved') await approveTradeIdea(ctx.store, { ideaId: idea.id, user: trader.email });
    if (status === 'rejected') await rejectTradeIdea(ctx.store, { ideaId: idea.id, user: trader.id });
    if (status === 'expired') await expireTradeIdea(ctx.store, { ideaId: idea.id });
    assert.equal((await getTradeIdea(ctx.store, idea.id)).status, status);
    return idea.id;
  }

  function step(to: Human, ideaId: number) {
    if (to === 'approved')
      return approveTradeIdea(ctx.store, { ideaId, user: trader.email, rationale: 'looks fine' });
    if (to === 'rejected') return rejectTradeIdea(ctx.store, { ideaId, user: trader.email, rationale: 'no' });
    return expireTradeIdea(ctx.store, { ideaId });
  }

  test('approve: needs_approval → approved, audit ai_proposed then human_approved', async () => {
    await openGate(ctx.store, { aiTradingEnabled: false });
    const { idea, decision } = await proposeTradeIdea(ctx.store, {
      portfolioId,
      assetId: asset,
      direction: 'short',
      quantity: '1',
      confidence: 0.9,
      entryPrice: '100',
      stopLoss: '110',
      takeProfit: '80',
      rationale: 'breakdown',
    });
    assert.equal(idea.status, 'needs_approval');
    assert.equal(decision.action, 'ai_proposed');
    await assert.rejects(
      placeOrder(ctx.store, {
        portfolioId,
        assetId: asset,
        side: 'sell',
        quantity: '1',
        tradeIdeaId: idea.id,
      }),
      /needs_approval: only approved or auto-executed ideas are traded/,
    );
    const approved = await approveTradeIdea(ctx.store, {
      ideaId: idea.id,
      user: trader.email,
      rationale: 'agree',
    });
    assert.equal(approved.idea.status, 'approved');
    assert.equal(approved.idea.decidedBy, trader.email);
    assert.equal(approved.decision.humanOverride, true);
    const rows = (await listDecisions(ctx.store, { tradeIdeaId: idea.id })).items;
    assert.deepEqual(
      rows.map((r) => [r.action, r.actor, r.rationale]),
      [
        ['ai_proposed', 'ai', 'breakdown'],
        ['human_approved', trader.email, 'agree'],
      ],
    );
    const { order, created } = await placeOrder(ctx.store, {
      portfolioId,
      assetId: asset,
      side: 'sell',
      quantity: '1',
      tradeIdeaId: idea.id,
    });
    assert.ok(created);
    assert.equal(order.tradeIdeaId, idea.id);
  });

  test('approving re-runs the hard limits: a tightened lot size halts the idea instead', async () => {
    await openGate(ctx.store, { aiTradingEnabled: false, maxLotSize: '5' });
    const { idea } = await proposeTradeIdea(ctx.store, {
      portfolioId,
      assetId: asset,
      direction: 'long',
      quantity: '2',
      confidence: 0.9,
      entryPrice: '100',
    });
    assert.equal(idea.status, 'needs_approval');
    assert.equal(idea.quantity?.toString(), '2');
    await openGate(ctx.store, { aiTradingEnabled: false, maxLotSize: '1.5' });
    const result = await approveTradeIdea(ctx.store, { ideaId: idea.id, user: trader.email });
    assert.equal(result.idea.status, 'halted_by_risk');
    assert.equal(result.idea.decidedBy, 'risk');
    assert.equal((await getTradeIdea(ctx.store, idea.id)).status, 'halted_by_risk');
    const rows = (await listDecisions(ctx.store, { tradeIdeaId: idea.id })).items;
    assert.deepEqual(
      rows.map((r) => [r.action, r.actor, r.humanOverride]),
      [
        ['ai_proposed', 'ai', false],
        ['risk_rejected', 'risk', false],
      ],
    );
    assert.match(
      rows[1]!.rationale ?? '',
      new RegExp(`${trader.email} approved; .*max_lot_size: quantity 2 > max lot size 1.5`),
    );
    const stored = rows[1]!.riskCheckResult as { verdict: string };
    assert.equal(stored.verdict, 'halted_by_risk');
    await assert.rejects(
      placeOrder(ctx.store, {
        portfolioId,
        assetId: asset,
        side: 'buy',
        quantity: '1',
        tradeIdeaId: idea.id,
      }),
      /halted_by_risk: only approved or auto-executed ideas are traded/,
    );
  });

  test("an idea's orders together stay within the size the gate judged", async () => {
    await openGate(ctx.store, { aiTradingEnabled: false });
    const { idea } = await proposeTradeIdea(ctx.store, {
      portfolioId,
      assetId: asset,
      direction: 'long',
      quantity: '1',
      confidence: 0.9,
    });
    await approveTradeIdea(ctx.store, { ideaId: idea.id, user: trader.email });
    const order = (quantity: string) =>
      placeOrder(ctx.store, { portfolioId, assetId: asset, side: 'buy', quantity, tradeIdeaId: idea.id });
    const first = await order('0.6');
    const before = await tradingState(ctx.store);
    await assert.rejects(order('0.5'), /judged at quantity 1: its orders would total 1\.1/);
    assert.deepEqual(await tradingState(ctx.store), before);
    // A canceled order gives back what it did not fill.
    await cancelOrder(ctx.store, { orderId: first.order.id });
    const whole = await order('1');
    assert.equal(whole.created, true);
    // Two at once that fit alone but not together: one is refused.
    await cancelOrder(ctx.store, { orderId: whole.order.id });
    for (let round = 0; round < 5; round++) {
      const both = await Promise.allSettled([order('0.6'), order('0.6')]);
      assert.deepEqual(both.map((r) => r.status).sort(), ['fulfilled', 'rejected']);
      const placed = both.find((r) => r.status === 'fulfilled') as PromiseFulfilledResult<{
        order: { id: number };
      }>;
      await cancelOrder(ctx.store, { orderId: placed.value.order.id });
    }
  });

  test('queue then evaluate: waiting → the gate verdict of the moment, audited once', async () => {
    await openGate(ctx.store, { aiTradingEnabled: true, maxLotSize: '1' });
    const queued = await queueTradeIdea(ctx.store, {
      portfolioId,
      assetId: asset,
      direction: 'long',
      quantity: '2',
      confidence: 0.9,
      entryPrice: '100',
      rationale: 'queued',
    });
    assert.equal(queued.status, 'waiting');
    assert.equal(queued.decidedBy, null);
    assert.equal((await listDecisions(ctx.store, { tradeIdeaId: queued.id })).items.length, 0);
    // The gate runs when asked, with the config of that moment: the lot size was raised meanwhile.
    await openGate(ctx.store, { aiTradingEnabled: true, maxLotSize: '5' });
    const evaluated = await evaluateTradeIdea(ctx.store, { ideaId: queued.id });
    assert.equal(evaluated.idea.status, 'auto_executed');
    assert.equal(evaluated.risk.verdict, 'auto_executed');
    assert.equal((await getTradeIdea(ctx.store, queued.id)).status, 'auto_executed');
    const rows = (await listDecisions(ctx.store, { tradeIdeaId: queued.id })).items;
    assert.deepEqual(
      rows.map((r) => [r.action, r.actor, r.rationale]),
      [['ai_auto_executed', 'ai', 'queued']],
    );
    // Only a waiting idea is evaluated; nothing is written otherwise.
    const before = await tradingState(ctx.store);
    await assert.rejects(
      evaluateTradeIdea(ctx.store, { ideaId: queued.id }),
      /is auto_executed: only waiting ideas/,
    );
    assert.deepEqual(await tradingState(ctx.store), before);
    // A queued idea can be halted by the gate, or rejected by a human before it runs.
    await openGate(ctx.store, { aiTradingEnabled: true, maxLotSize: '1' });
    const blocked = await queueTradeIdea(ctx.store, {
      portfolioId,
      assetId: asset,
      direction: 'long',
      quantity: '2',
      confidence: 0.9,
    });
    const halted = await evaluateTradeIdea(ctx.store, { ideaId: blocked.id });
    assert.equal(halted.idea.status, 'halted_by_risk');
    assert.equal(halted.decision.action, 'risk_rejected');
    const vetoed = await queueTradeIdea(ctx.store, {
      portfolioId,
      assetId: asset,
      direction: 'long',
      quantity: '1',
      confidence: 0.9,
    });
    const rejected = await rejectTradeIdea(ctx.store, { ideaId: vetoed.id, user: trader.email });
    assert.equal(rejected.idea.status, 'rejected');
    assert.equal(rejected.decision.action, 'human_rejected');
  });

  test('reject: needs_approval → rejected, audit ai_proposed then human_rejected', async () => {
    const id = await ideaIn('needs_approval');
    const { idea, decision } = await rejectTradeIdea(ctx.store, {
      ideaId: id,
      user: trader.id,
      rationale: 'too late',
    });
    assert.equal(idea.status, 'rejected');
    assert.equal(decision.action, 'human_rejected');
    assert.equal(decision.humanOverride, false);
    const rows = (await listDecisions(ctx.store, { tradeIdeaId: id })).items;
    assert.deepEqual(
      rows.map((r) => r.action),
      ['ai_proposed', 'human_rejected'],
    );
  });

  test('auto-executed and halted ideas record exactly one audit row', async () => {
    for (const [status, action, actor] of [
      ['auto_executed', 'ai_auto_executed', 'ai'],
      ['halted_by_risk', 'risk_rejected', 'risk'],
    ] as const) {
      const id = await ideaIn(status);
      const rows = (await listDecisions(ctx.store, { tradeIdeaId: id })).items;
      assert.deepEqual(
        rows.map((r) => [r.action, r.actor]),
        [[action, actor]],
      );
    }
  });

  test('expiry: undecided ideas past expires_at expire, with no audit row', async () => {
    await openGate(ctx.store, { aiTradingEnabled: false });
    const past = new Date(Date.now() - 60_000);
    const later = new Date(Date.now() + 3_600_000);
    const due = await proposeTradeIdea(ctx.store, {
      portfolioId,
      assetId: asset,
      direction: 'long',
      quantity: '1',
      confidence: 0.5,
      expiresAt: past,
    });
    const notDue = await proposeTradeIdea(ctx.store, {
      portfolioId,
      assetId: asset,
      direction: 'long',
      quantity: '1',
      confidence: 0.5,
      expiresAt: later,
    });
    const expired = await expireTradeIdeas(ctx.store);
    assert.ok(expired.includes(due.idea.id));
    assert.ok(!expired.includes(notDue.idea.id));
    assert.equal((await getTradeIdea(ctx.store, due.idea.id)).status, 'expired');
    assert.equal((await getTradeIdea(ctx.store, notDue.idea.id)).status, 'needs_approval');
    assert.deepEqual(
      (await listDecisions(ctx.store, { tradeIdeaId: due.idea.id })).items.map((r) => r.action),
      ['ai_proposed'],
    );
    const queue = await listTradeIdeas(ctx.store, { portfolioId, status: 'needs_approval' });
    assert.ok(queue.items.some((i) => i.id === notDue.idea.id));
  });

  test('every illegal transition is refused with a clear error and changes nothing', async () => {
    let refused = 0;
    for (const from of TRADE_IDEA_STATUSES) {
      for (const to of HUMAN_STEPS) {
        const id = await ideaIn(from);
        if (canTransition('trade_idea', from, to)) {
          await step(to, id);
          assert.equal((await getTradeIdea(ctx.store, id)).status, to);
          continue;
        }
        const before = await tradingState(ctx.store);
        await assert.rejects(step(to, id), (error: unknown) => {
          assert.ok(error instanceof IllegalTransitionError, String(error));
          assert.match(
            error.message,
            new RegExp(`illegal trade_idea status transition '${from}' -> '${to}'`),
          );
          return true;
        });
        assert.deepEqual(await tradingState(ctx.store), before, `${from} → ${to} changed the database`);
        refused += 1;
      }
    }
    // approved/auto_executed/rejected/halted_by_risk/expired are terminal (5 × 3), waiting cannot be approved.
    assert.equal(refused, 16);
  });

  test('only active traders and admins decide; nothing is written otherwise', async () => {
    const id = await ideaIn('needs_approval');
    const before = await tradingState(ctx.store);
    await assert.rejects(approveTradeIdea(ctx.store, { ideaId: id, user: viewer.email }), /is a viewer/);
    await assert.rejects(approveTradeIdea(ctx.store, { ideaId: id, user: inactive.id }), /inactive/);
    await assert.rejects(
      approveTradeIdea(ctx.store, { ideaId: id, user: 'nobody@example.com' }),
      /does not exist/,
    );
    await assert.rejects(
      approveTradeIdea(ctx.store, { ideaId: id, user: 'not an email' }),
      /invalid approval/,
    );
    assert.deepEqual(await tradingState(ctx.store), before);
  });

  test('halting and resuming AI trading are audited', async () => {
    const halted = await haltAiTrading(ctx.store, { portfolioId, actor: trader.email, reason: 'news event' });
    assert.equal(halted.config.aiTradingEnabled, false);
    assert.equal(halted.config.lastHaltReason, 'news event');
    assert.equal(halted.decision.action, 'ai_halted');
    const resumed = await resumeAiTrading(ctx.store, { portfolioId, actor: trader.email });
    assert.equal(resumed.config.aiTradingEnabled, true);
    const rows = (await listDecisions(ctx.store, { portfolioId, actor: trader.email })).items.map(
      (r) => r.action,
    );
    assert.deepEqual(rows.slice(-2), ['ai_halted', 'ai_resumed']);
  });

  test('decision_history cannot be updated or deleted through the ORM or the services', async () => {
    const services = Object.keys(decisions);
    assert.deepEqual(
      services.filter((name) => /update|delete|remove|edit|set/i.test(name)),
      [],
    );

    const em = ctx.store.em();
    const row = await em.findOneOrFail(
      DecisionHistory,
      { action: 'ai_proposed' },
      { orderBy: { id: 'asc' } },
    );
    const original = row.rationale;
    row.rationale = 'rewritten history';
    await assert.rejects(em.flush(), /append-only/);

    const em2 = ctx.store.em();
    const again = await em2.findOneOrFail(DecisionHistory, row.id);
    assert.equal(again.rationale, original);
    em2.remove(again);
    await assert.rejects(em2.flush(), /append-only/);
    const still = await ctx.store.em().findOne(DecisionHistory, row.id);
    assert.ok(still, 'the audit row is still there');
  });

  test('invalid input is refused before anything is written', async () => {
    const before = await tradingState(ctx.store);
    await assert.rejects(
      proposeTradeIdea(ctx.store, {
        portfolioId,
        assetId: asset,
        direction: 'long',
        quantity: 0.1 as never,
        confidence: 0.5,
      }),
      /refusing float 0.1/,
    );
    await assert.rejects(
      proposeTradeIdea(ctx.store, {
        portfolioId,
        assetId: asset,
        direction: 'long',
        quantity: '1',
        confidence: 1.5,
      }),
      /invalid trade idea/,
    );
    await assert.rejects(
      proposeTradeIdea(ctx.store, {
        portfolioId,
        assetId: asset,
        direction: 'long',
        quantity: '1',
        confidence: 0.5,
        entryPrice: '100',
        stopLoss: '101',
      }),
      (error: unknown) =>
        error instanceof TradingError && /stop loss 101 must be below the entry 100/.test(error.message),
    );
    await assert.rejects(
      proposeTradeIdea(ctx.store, { assetId: asset, direction: 'long', quantity: '1' }),
      /needs portfolioId/,
    );
    assert.deepEqual(await tradingState(ctx.store), before);
  });
});
