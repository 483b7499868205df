/**
 * Trade ideas: the AI proposes (from a signal or directly), the risk gate decides, humans approve
 * or reject, ideas expire. Status changes follow src/trading/transitions.ts only; an illegal one
 * throws IllegalTransitionError and the transaction writes nothing. Every decision appends one
 * decision_history row with the action the core assigns to the transition (expiry records none:
 * nobody decided).
 */
import { z } from 'zod';
import { appendDecision, type DecisionView } from '../audit/decision-history.ts';
import { int } from '../db/column-values.ts';
import { defineListing, type ListingQuery } from '../db/listing.ts';
import type { Store } from '../db/store.ts';
import { recordChange } from '../events/outbox.ts';
import { inTransaction, reading, type Tx } from '../db/transaction.ts';
import { TRADE_IDEA_STATUSES, type TradeIdeaStatus } from '../entities/execution-tables.ts';
import { TradingError } from '../input/errors.ts';
import { id, idFilters, userRef, when } from '../input/fields.ts';
import { parseInput } from '../input/parse.ts';
import { assertTradable, findUser, loadPortfolio, type PortfolioView } from '../portfolios/portfolios.ts';
import { recordHaltReason, type RiskConfigs } from '../portfolios/risk-configs.ts';
import type { RiskEvaluation, RiskVerdict } from '../trading/risk-gate.ts';
import { assertTransition, canTransition, decisionActionFor } from '../trading/transitions.ts';
import { checkLevels, type ResolvedIdea, resolveIdea } from './idea-terms.ts';
import {
  loadTradeIdea,
  type ParsedTradeIdea,
  TradeIdeaInput,
  type TradeIdeaView,
  tradeIdeas,
} from './idea-rows.ts';
import { assessRisk, type RiskAssessment, type RiskQuestion, riskRecord } from './risk.ts';
import { loadSignal, type SignalView, type StrategyFacts, strategyFacts } from './signals.ts';

export {
  loadTradeIdea,
  type ParsedTradeIdea,
  TradeIdeaInput,
  type TradeIdeaView,
  tradeIdeas,
} from './idea-rows.ts';
export { resolveIdea } from './idea-terms.ts';

export interface ProposalResult {
  idea: TradeIdeaView;
  risk: RiskEvaluation;
  /** The decision_history row of the gate's verdict. */
  decision: DecisionView;
}

/** The risk gate for an idea of this portfolio and strategy, at its size, entry price and confidence. */
function assessIdea(
  tx: Tx,
  portfolio: PortfolioView,
  strategy: StrategyFacts | null,
  idea: Pick<ResolvedIdea, 'assetId' | 'direction' | 'quantity' | 'confidence' | 'entryPrice' | 'testMode'>,
  at: Date,
  known: Pick<RiskQuestion, 'symbol' | 'configs' | 'openTradeCount'> = {},
) {
  return assessRisk(tx, {
    ...known,
    portfolioId: portfolio.id,
    initialBalance: portfolio.initialBalance,
    assetId: idea.assetId,
    confidence: idea.confidence,
    quantity: idea.quantity,
    testMode: idea.testMode,
    watchlist: strategy?.allowedSymbols ?? null,
    at,
    limits: portfolio,
    order: {
      assetId: idea.assetId,
      side: idea.direction === 'long' ? 'buy' : 'sell',
      quantity: idea.quantity,
      price: idea.entryPrice,
    },
  });
}

/** Who decided when the gate's verdict is final: the AI, the risk rules, or nobody yet. */
function gateDecider(verdict: RiskVerdict): 'ai' | 'risk' | null {
  return verdict === 'needs_approval' ? null : verdict === 'auto_executed' ? 'ai' : 'risk';
}

type KnownContext = {
  signal?: SignalView;
  strategy?: StrategyFacts | null;
  portfolio?: PortfolioView;
  symbol?: string;
  /** Read by the caller for this portfolio in this transaction (the chain's up-front reads). */
  risk?: { configs: RiskConfigs; openTradeCount: number | null };
  now?: Date;
};

/** The idea's terms (from its signal where it has one), checked against its portfolio and strategy. */
async function resolveProposal(tx: Tx, i: ParsedTradeIdea, known: KnownContext) {
  const signal = known.signal ?? (i.signalId === undefined ? null : await loadSignal(tx, i.signalId));
  const r = resolveIdea(i, signal);
  checkLevels(r.direction, i, r.entryPrice);
  const portfolio =
    known.portfolio?.id === r.portfolioId ? known.portfolio : await loadPortfolio(tx, r.portfolioId);
  assertTradable(portfolio);
  const strategy =
    known.strategy !== undefined
      ? known.strategy
      : r.strategyId === null
        ? null
        : await strategyFacts(tx, r.strategyId);
  if (strategy && !strategy.isActive)
    throw new TradingError(`strategy ${strategy.name} is inactive: it proposes no trades`);
  return { r, portfolio, strategy };
}

/** What an idea event says happened when the idea reaches a status. */
const IDEA_CHANGES: Record<TradeIdeaStatus, string> = {
  waiting: 'proposed',
  needs_approval: 'needs_approval',
  approved: 'approved',
  auto_executed: 'executed',
  rejected: 'rejected',
  halted_by_risk: 'halted',
  expired: 'expired',
};

/** Inserts the idea row in `status` (the gate's verdict, or `waiting` when queued for it). */
async function insertIdea(
  tx: Tx,
  r: ResolvedIdea,
  i: ParsedTradeIdea,
  status: TradeIdeaStatus,
  decided: string | null,
  now: Date,
): Promise<TradeIdeaView> {
  const idea = await tradeIdeas.insert(tx, {
    portfolioId: r.portfolioId,
    signalId: r.signalId,
    strategyId: r.strategyId,
    assetId: r.assetId,
    direction: r.direction,
    quantity: r.quantity,
    entryPrice: r.entryPrice,
    entryRangeLow: i.entryRangeLow ?? null,
    entryRangeHigh: i.entryRangeHigh ?? null,
    stopLoss: i.stopLoss ?? null,
    takeProfit: i.takeProfit ?? null,
    expectedHold: i.expectedHold ?? null,
    rationale: r.rationale,
    confidence: r.confidence,
    status,
    snapshotRef: i.snapshotRef ?? null,
    decidedBy: decided,
    decidedAt: decided === null ? null : now,
    expiresAt: i.expiresAt ?? null,
    testMode: r.testMode,
    botVersion: r.botVersion,
    createdAt: now,
    updatedAt: now,
  });
  recordChange(tx, 'idea', IDEA_CHANGES[status], idea);
  return idea;
}

/**
 * Moves a stored idea to `to`: the one place a service changes an idea's status, so the core's
 * transition table (src/trading/transitions.ts) is checked here and nowhere else in the services.
 */
async function moveIdea(
  tx: Tx,
  idea: TradeIdeaView,
  to: TradeIdeaStatus,
  decision: { decidedBy: string | null; decidedAt: Date | null } | null,
  now: Date,
): Promise<TradeIdeaView> {
  assertTransition('trade_idea', idea.status, to);
  const changes =
    decision === null ? { status: to, updatedAt: now } : { status: to, ...decision, updatedAt: now };
  await tradeIdeas.update(tx, idea.id, changes);
  const moved = { ...idea, ...changes };
  recordChange(tx, 'idea', IDEA_CHANGES[to], moved);
  return moved;
}

/**
 * The audit of a gate verdict on `idea` (already in its new status, coming from `from`): one
 * decision_history row with every rule's outcome, and a halt recorded on the governing config.
 */
async function recordGateVerdict(
  tx: Tx,
  idea: TradeIdeaView,
  from: TradeIdeaStatus,
  assessment: RiskAssessment,
  now: Date,
  rationale: string | null,
): Promise<DecisionView> {
  const verdict = assessment.evaluation.verdict;
  const decision = await appendDecision(tx, {
    occurredAt: now,
    portfolioId: idea.portfolioId,
    assetId: idea.assetId,
    // The core says which audit action a transition records (and refuses an illegal one).
    action: decisionActionFor(from, verdict)!,
    actor: gateDecider(verdict) ?? 'ai',
    rationale,
    confidence: idea.confidence,
    riskCheckResult: riskRecord(assessment),
    strategyId: idea.strategyId,
    tradeIdeaId: idea.id,
    snapshotRef: idea.snapshotRef,
    humanOverride: false,
    testMode: idea.testMode,
    botVersion: idea.botVersion,
  });
  if (verdict === 'halted_by_risk') {
    await recordHaltReason(tx, assessment.configs, assessment.evaluation.haltReason ?? 'halted by risk', now);
  }
  return decision;
}

/** Moves an existing idea to the gate's verdict and records it (evaluation, re-check at approval). */
async function applyGateVerdict(
  tx: Tx,
  idea: TradeIdeaView,
  assessment: RiskAssessment,
  now: Date,
  rationale: string | null,
): Promise<ProposalResult> {
  const verdict = assessment.evaluation.verdict;
  const decided = gateDecider(verdict);
  const moved = await moveIdea(
    tx,
    idea,
    verdict,
    { decidedBy: decided, decidedAt: decided === null ? null : now },
    now,
  );
  const decision = await recordGateVerdict(tx, moved, idea.status, assessment, now, rationale);
  return { idea: moved, risk: assessment.evaluation, decision };
}

/**
 * The proposal inside a transaction. `known` passes what a caller in the same transaction already
 * loaded (the signal, its strategy), so a chained call does not read them again.
 */
export async function proposeTradeIdeaIn(
  tx: Tx,
  i: ParsedTradeIdea,
  known: KnownContext = {},
): Promise<ProposalResult> {
  const now = known.now ?? new Date();
  const { r, portfolio, strategy } = await resolveProposal(tx, i, known);
  const risk =
    portfolio.id === known.portfolio?.id && r.testMode === known.signal?.testMode ? known.risk : undefined;
  const assessment = await assessIdea(tx, portfolio, strategy, r, now, {
    ...(known.symbol === undefined ? {} : { symbol: known.symbol }),
    ...risk,
  });
  const verdict = assessment.evaluation.verdict;
  // Inserted at its verdict in one statement (the hot path): logically waiting → verdict.
  const idea = await insertIdea(tx, r, i, verdict, gateDecider(verdict), now);
  const rationale = verdict === 'halted_by_risk' ? assessment.evaluation.haltReason : r.rationale;
  const decision = await recordGateVerdict(tx, idea, 'waiting', assessment, now, rationale);
  return { idea, risk: assessment.evaluation, decision };
}

/**
 * Proposes a trade idea; the risk gate evaluates the effective config and the idea becomes
 * auto_executed, needs_approval or halted_by_risk, with every rule's outcome in the audit row.
 */
export async function proposeTradeIdea(store: Store, input: TradeIdeaInput): Promise<ProposalResult> {
  const i = parseInput(TradeIdeaInput, input, 'trade idea');
  return inTransaction(store, (tx) => proposeTradeIdeaIn(tx, i));
}

/**
 * Stores a trade idea in `waiting` without running the gate: a proposal to evaluate later
 * (`evaluateTradeIdea`), or to reject before it is evaluated. Its terms are checked as a proposal's
 * are; no audit row is written, since nobody has decided anything yet.
 */
export async function queueTradeIdea(store: Store, input: TradeIdeaInput): Promise<TradeIdeaView> {
  const i = parseInput(TradeIdeaInput, input, 'trade idea');
  return inTransaction(store, async (tx) => {
    const { r } = await resolveProposal(tx, i, {});
    return insertIdea(tx, r, i, 'waiting', null, new Date());
  });
}

/** Runs the risk gate on a waiting idea with the state of now; the idea moves to its verdict. */
export async function evaluateTradeIdea(store: Store, input: { ideaId: number }): Promise<ProposalResult> {
  const ideaId = parseInput(id, input.ideaId, 'trade idea id');
  return inTransaction(store, async (tx) => {
    const idea = await loadTradeIdea(tx, ideaId, { lock: true });
    if (idea.status !== 'waiting')
      throw new TradingError(`trade idea ${idea.id} is ${idea.status}: only waiting ideas are evaluated`);
    const now = new Date();
    const { portfolio, strategy, assessment } = await assessStoredIdea(tx, idea, now);
    assertTradable(portfolio);
    if (strategy && !strategy.isActive)
      throw new TradingError(`strategy ${strategy.name} is inactive: it proposes no trades`);
    const verdict = assessment.evaluation.verdict;
    return applyGateVerdict(
      tx,
      idea,
      assessment,
      now,
      verdict === 'halted_by_risk' ? assessment.evaluation.haltReason : idea.rationale,
    );
  });
}

/**
 * The gate on a stored idea with the state of `now`: its portfolio, strategy, size and confidence
 * (the services set all three; a row written through the ORM without them is refused, not guessed).
 */
async function assessStoredIdea(tx: Tx, idea: TradeIdeaView, now: Date) {
  if (idea.portfolioId === null || idea.quantity === null || idea.confidence === null)
    throw new TradingError(`trade idea ${idea.id} has no portfolio, size or confidence to assess`);
  const portfolio = await loadPortfolio(tx, idea.portfolioId);
  const strategy = idea.strategyId === null ? null : await strategyFacts(tx, idea.strategyId);
  const terms = { ...idea, quantity: idea.quantity, confidence: idea.confidence };
  return { portfolio, strategy, assessment: await assessIdea(tx, portfolio, strategy, terms, now) };
}

const VerdictInput = z
  .object({
    ideaId: id,
    /** The deciding user (id or email): an active trader or admin. */
    user: userRef,
    rationale: z.string().optional(),
  })
  .strict();
export type VerdictInput = z.input<typeof VerdictInput>;

/**
 * Approving overrides the gate's judgement calls (AI disabled, low confidence, off the watchlist),
 * not its hard limits: the gate runs again with today's state, and if a halting rule now fails
 * (a lot size or position limit tightened, the daily target or the drawdown reached, the portfolio
 * filled up since the proposal) the idea is halted_by_risk instead, recorded as risk_rejected.
 */
async function recheckAtApproval(
  tx: Tx,
  idea: TradeIdeaView,
  approver: string,
  now: Date,
): Promise<{ idea: TradeIdeaView; decision: DecisionView } | null> {
  const { assessment } = await assessStoredIdea(tx, idea, now);
  if (assessment.evaluation.verdict !== 'halted_by_risk') return null;
  const reason = assessment.evaluation.haltReason ?? 'halted by risk';
  const { idea: halted, decision } = await applyGateVerdict(
    tx,
    idea,
    assessment,
    now,
    `${approver} approved; the gate re-checked at approval: ${reason}`,
  );
  return { idea: halted, decision };
}

async function decide(store: Store, input: VerdictInput, to: 'approved' | 'rejected') {
  const v = parseInput(VerdictInput, input, to === 'approved' ? 'approval' : 'rejection');
  return inTransaction(store, async (tx) => {
    const idea = await loadTradeIdea(tx, v.ideaId, { lock: true });
    const action = decisionActionFor(idea.status, to); // throws IllegalTransitionError, nothing written
    const user = await findUser(tx, v.user);
    if (!user.isActive)
      throw new TradingError(`user ${user.email} is inactive and cannot decide trade ideas`);
    if (user.role !== 'trader' && user.role !== 'admin') {
      throw new TradingError(
        `user ${user.email} is a ${user.role}: only traders and admins decide trade ideas`,
      );
    }
    const now = new Date();
    if (to === 'approved') {
      const halted = await recheckAtApproval(tx, idea, user.email, now);
      if (halted) return halted;
    }
    const decided = await moveIdea(tx, idea, to, { decidedBy: user.email, decidedAt: now }, now);
    const decision = await appendDecision(tx, {
      occurredAt: now,
      portfolioId: idea.portfolioId,
      assetId: idea.assetId,
      action: action!,
      actor: user.email,
      rationale: v.rationale ?? null,
      confidence: idea.confidence,
      riskCheckResult: null,
      strategyId: idea.strategyId,
      tradeIdeaId: idea.id,
      snapshotRef: idea.snapshotRef,
      // Approving trades what the gate would not trade on its own: the human overrides it.
      humanOverride: to === 'approved',
      testMode: idea.testMode,
      botVersion: idea.botVersion,
    });
    return { idea: decided, decision };
  });
}

/**
 * A user approves an idea that needs approval (records human_approved), unless the gate, run again,
 * now halts it on a hard limit (records risk_rejected; see recheckAtApproval).
 */
export function approveTradeIdea(
  store: Store,
  input: VerdictInput,
): Promise<{ idea: TradeIdeaView; decision: DecisionView }> {
  return decide(store, input, 'approved');
}

/** A user rejects a waiting idea or one that needs approval (records human_rejected). */
export function rejectTradeIdea(
  store: Store,
  input: VerdictInput,
): Promise<{ idea: TradeIdeaView; decision: DecisionView }> {
  return decide(store, input, 'rejected');
}

const EXPIRABLE = TRADE_IDEA_STATUSES.filter((s) => canTransition('trade_idea', s, 'expired'));

/** Expires one undecided idea now (no audit row: nobody decided). */
export async function expireTradeIdea(store: Store, input: { ideaId: number }): Promise<TradeIdeaView> {
  const ideaId = parseInput(id, input.ideaId, 'trade idea id');
  return inTransaction(store, async (tx) => {
    const idea = await loadTradeIdea(tx, ideaId, { lock: true });
    return moveIdea(tx, idea, 'expired', null, new Date());
  });
}

/** Expires every undecided idea whose expires_at has passed; returns their ids. */
export async function expireTradeIdeas(store: Store, input: { now?: Date } = {}): Promise<number[]> {
  const now = parseInput(when.optional(), input.now, 'now') ?? new Date();
  return inTransaction(store, async (tx) => {
    const marks = EXPIRABLE.map(() => '?').join(', ');
    const rows = await tx.all<{ id: unknown }>(
      `update trade_ideas set status = 'expired', updated_at = ?
        where status in (${marks}) and expires_at is not null and expires_at <= ? returning id`,
      [tx.time(now), ...EXPIRABLE, tx.time(now)],
    );
    return rows.map((r) => int(r.id)).sort((a, b) => a - b);
  });
}

export async function getTradeIdea(store: Store, ideaId: number): Promise<TradeIdeaView> {
  const iid = parseInput(id, ideaId, 'trade idea id');
  return reading(store, (tx) => loadTradeIdea(tx, iid));
}

/** Ideas matching the filter, newest first (e.g. `{ status: 'needs_approval' }` is the approval queue). */
export const listTradeIdeas = defineListing(tradeIdeas, {
  fields: {
    ...idFilters('portfolioId', 'strategyId', 'assetId', 'signalId'),
    status: z.enum(TRADE_IDEA_STATUSES).optional(),
  },
  window: 'created_at',
  orderBy: 'created_at desc, id desc',
});
export type TradeIdeaQuery = ListingQuery<typeof listTradeIdeas>;
