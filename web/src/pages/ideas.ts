/**
 * The approval queue (ideas the risk gate sent to a human, with rationale, confidence and every
 * rule's outcome; Approve / Reject with a reason), the decision timeline (updated by `decision`
 * and `idea` events without a reload) and, for any trade, the chain behind it.
 */
import { api, ok, type Schemas } from '../api.ts';
import { errorText, field, fill, h, statusLine } from '../dom.ts';
import { money, percent, pnl, quantity, time } from '../format.ts';
import { on } from '../live.ts';
import { href, navigate, type PageContext } from '../router.ts';
import { canTrade } from '../state.ts';

type Idea = Schemas['TradeIdea'];
type Decision = Schemas['Decision'];
interface RuleOutcome {
  rule: string;
  passed: boolean;
  detail?: string;
}

async function assetNames(): Promise<Map<number, string>> {
  const assets = (await ok(api.GET('/assets', { params: { query: { limit: 1000 } } }))).data;
  return new Map(assets.map((a) => [a.id, a.symbol]));
}

function rulesOf(d: Decision | undefined): RuleOutcome[] {
  const rules = (d?.risk_check_result as { rules?: unknown } | null | undefined)?.rules;
  return Array.isArray(rules) ? (rules as RuleOutcome[]) : [];
}

function ruleList(rules: RuleOutcome[]): HTMLElement {
  if (rules.length === 0) return h('p', { class: 'muted' }, 'No risk check recorded.');
  return h(
    'ul',
    { class: 'rules' },
    rules.map((r) =>
      h(
        'li',
        { class: r.passed ? 'pass' : 'fail' },
        h('strong', null, r.passed ? 'Passed: ' : 'Failed: '),
        r.rule.replaceAll('_', ' '),
        r.detail ? h('span', { class: 'muted' }, ` — ${r.detail}`) : null,
      ),
    ),
  );
}

function decisionItem(d: Decision, assets: Map<number, string>): HTMLLIElement {
  return h(
    'li',
    { attrs: { 'data-decision': d.id } },
    h('time', { dateTime: d.occurred_at }, time(d.occurred_at)),
    ' ',
    h('strong', null, d.action.replaceAll('_', ' ')),
    ` by ${d.actor}`,
    d.trade_idea_id !== null ? ` · idea #${d.trade_idea_id}` : '',
    d.asset_id !== null ? ` · ${assets.get(d.asset_id) ?? `asset ${d.asset_id}`}` : '',
    d.confidence !== null ? ` · confidence ${percent(d.confidence)}` : '',
    d.rationale ? h('div', { class: 'muted' }, d.rationale) : null,
  );
}

export async function ideasPage({ main, cleanup, signal }: PageContext): Promise<void> {
  const assets = await assetNames();
  const queue = h('div', { class: 'cards' });
  const timeline = h('ol', { class: 'timeline', attrs: { 'aria-label': 'Decisions, newest first' } });
  const status = statusLine();
  const chainId = h('input', { type: 'number', min: '1', required: true, inputMode: 'numeric' });
  const chainForm = h(
    'form',
    { class: 'inline' },
    field('Trade id', chainId),
    h('button', { type: 'submit' }, 'Show chain'),
  );
  chainForm.addEventListener('submit', (e) => {
    e.preventDefault();
    navigate(`/trades/${chainId.value}/chain`);
  });
  fill(
    main,
    h('h1', null, 'Trade ideas'),
    status,
    h(
      'section',
      { attrs: { 'aria-labelledby': 'queue-h' } },
      h('h2', { id: 'queue-h' }, 'Needs approval'),
      queue,
    ),
    h(
      'section',
      { attrs: { 'aria-labelledby': 'timeline-h' } },
      h('h2', { id: 'timeline-h' }, 'Decision timeline'),
      timeline,
    ),
    h(
      'section',
      { attrs: { 'aria-labelledby': 'chain-h' } },
      h('h2', { id: 'chain-h' }, 'The chain behind a trade'),
      h('p', null, 'Signal with its components → idea → decisions → orders → fills → trade.'),
      chainForm,
    ),
  );

  async function loadQueue() {
    const ideas = (
      await ok(api.GET('/trade-ideas', { params: { query: { status: 'needs_approval', limit: 100 } } }))
    ).data;
    if (signal.aborted) return;
    const decisions = await Promise.all(
      ideas.map((i) =>
        ok(api.GET('/decisions', { params: { query: { trade_idea_id: i.id, limit: 20 } } })).then((p) =>
          p.data.find((d) => d.risk_check_result !== null),
        ),
      ),
    );
    if (signal.aborted) return;
    if (ideas.length === 0) fill(queue, h('p', { class: 'muted' }, 'No idea is waiting for a decision.'));
    else
      fill(
        queue,
        ideas.map((idea, i) => ideaCard(idea, decisions[i])),
      );
  }

  function ideaCard(idea: Idea, decision: Decision | undefined): HTMLElement {
    const reason = h('textarea', { rows: 2, maxLength: 2000 });
    const message = h('p', { class: 'error', attrs: { role: 'alert' } });
    const act = async (verb: 'approve' | 'reject', button: HTMLButtonElement) => {
      button.disabled = true;
      message.textContent = '';
      try {
        const body = reason.value.trim() ? { reason: reason.value.trim() } : {};
        await ok(
          verb === 'approve'
            ? api.POST('/trade-ideas/{id}/approve', { params: { path: { id: idea.id } }, body })
            : api.POST('/trade-ideas/{id}/reject', { params: { path: { id: idea.id } }, body }),
        );
        status.textContent = `Idea #${idea.id} ${verb === 'approve' ? 'approved' : 'rejected'}.`;
        await Promise.all([loadQueue(), loadTimeline()]);
      } catch (error) {
        message.textContent = errorText(error);
        button.disabled = false;
      }
    };
    const approve = h('button', { type: 'button', class: 'primary' }, 'Approve');
    const reject = h('button', { type: 'button', class: 'danger' }, 'Reject');
    approve.addEventListener('click', () => void act('approve', approve));
    reject.addEventListener('click', () => void act('reject', reject));
    const headingId = `idea-${idea.id}-h`;
    const symbol = assets.get(idea.asset_id) ?? `asset ${idea.asset_id}`;
    return h(
      'article',
      { class: 'card', attrs: { 'aria-labelledby': headingId } },
      h('h3', { id: headingId }, `Idea #${idea.id}: ${idea.direction} ${quantity(idea.quantity)} ${symbol}`),
      h(
        'dl',
        { class: 'facts' },
        h('dt', null, 'Entry'),
        h('dd', null, money(idea.entry_price)),
        h('dt', null, 'Stop loss'),
        h('dd', null, money(idea.stop_loss)),
        h('dt', null, 'Take profit'),
        h('dd', null, money(idea.take_profit)),
        h('dt', null, 'Confidence'),
        h('dd', null, percent(idea.confidence)),
        h('dt', null, 'Proposed'),
        h('dd', null, time(idea.created_at)),
        h('dt', null, 'Expires'),
        h('dd', null, time(idea.expires_at)),
      ),
      h('h4', null, 'Rationale'),
      h('p', null, idea.rationale ?? '—'),
      h('h4', null, 'Risk rules'),
      ruleList(rulesOf(decision)),
      canTrade()
        ? h(
            'div',
            { class: 'decide' },
            field(`Reason for idea #${idea.id}`, reason),
            h('div', { class: 'buttons' }, approve, reject),
            message,
          )
        : h('p', { class: 'muted' }, 'Your role can read this idea but not decide it.'),
    );
  }

  let newest = 0;
  async function loadTimeline() {
    const page = (await ok(api.GET('/decisions', { params: { query: { limit: 50 } } }))).data;
    if (signal.aborted) return;
    // Two loads can overlap (an approval here and its event): the list keeps each decision once.
    const fresh = page.filter((d) => d.id > newest && !timeline.querySelector(`[data-decision="${d.id}"]`));
    if (newest === 0)
      fill(
        timeline,
        page.length ? page.map((d) => decisionItem(d, assets)) : h('li', null, 'No decision yet.'),
      );
    else if (fresh.length > 0) {
      timeline.querySelector('li:not([data-decision])')?.remove();
      for (const d of [...fresh].reverse()) timeline.prepend(decisionItem(d, assets));
      status.textContent = `${fresh.length} new decision${fresh.length > 1 ? 's' : ''}.`;
    }
    newest = Math.max(newest, ...page.map((d) => d.id));
  }

  await Promise.all([loadQueue(), loadTimeline()]);
  // Bursts of events (an approval records an idea change and a decision) cost one reload each.
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const later = (fn: () => Promise<unknown>) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    return () => {
      if (timer) return;
      timer = setTimeout(() => {
        if (timer) timers.delete(timer);
        timer = undefined;
        void fn().catch(() => undefined);
      }, 150);
      timers.add(timer);
    };
  };
  const both = () => Promise.all([loadQueue(), loadTimeline()]);
  cleanup(on('decision', later(loadTimeline)));
  cleanup(on('idea', later(both)));
  cleanup(on('reset', later(both)));
  cleanup(() => timers.forEach((t) => clearTimeout(t)));
}

function facts(pairs: Array<[string, Node | string]>): HTMLElement {
  return h(
    'dl',
    { class: 'facts' },
    pairs.flatMap(([k, v]) => [h('dt', null, k), h('dd', null, v)]),
  );
}

function components(value: unknown): HTMLElement {
  if (value === null || value === undefined) return h('p', { class: 'muted' }, 'No components recorded.');
  const entries = Array.isArray(value)
    ? value.map((v, i) => [String(i), v] as const)
    : Object.entries(value as object);
  return h(
    'ul',
    { class: 'components' },
    entries.map(([k, v]) =>
      h('li', null, h('strong', null, `${k}: `), typeof v === 'object' ? JSON.stringify(v) : String(v)),
    ),
  );
}

export async function chainPage({ main, params, signal }: PageContext): Promise<void> {
  const id = Number(params.id);
  const [chain, assets] = await Promise.all([
    ok(api.GET('/trades/{id}/chain', { params: { path: { id } } })),
    assetNames(),
  ]);
  if (signal.aborted) return;
  const t = chain.trade;
  const symbol = assets.get(t.asset_id) ?? `asset ${t.asset_id}`;
  const s = chain.signal;
  const idea = chain.idea;
  fill(
    main,
    h('h1', null, `Trade #${t.id}: the chain behind it`),
    h('p', null, h('a', { href: href('/ideas') }, 'Back to trade ideas')),
    h(
      'ol',
      { class: 'chain' },
      h(
        'li',
        null,
        h('h2', null, 'Signal'),
        s
          ? [
              facts([
                ['Signal', `#${s.id} ${s.action} ${symbol} at ${money(s.price)}`],
                ['Time', time(s.ts)],
                ['Confidence', percent(s.confidence)],
                ['Strategy version', s.strategy_version.slice(0, 12)],
                ['Reason', s.reason ?? '—'],
                ['Aggregation', s.aggregation_method ?? '—'],
              ]),
              h('h3', null, 'Components'),
              components(s.components),
            ]
          : h('p', { class: 'muted' }, 'No signal (entered by hand or imported).'),
      ),
      h(
        'li',
        null,
        h('h2', null, 'Idea'),
        idea
          ? facts([
              ['Idea', `#${idea.id} ${idea.direction} ${quantity(idea.quantity)} ${symbol}`],
              ['Status', idea.status.replaceAll('_', ' ')],
              ['Rationale', idea.rationale ?? '—'],
              ['Confidence', percent(idea.confidence)],
              ['Decided by', idea.decided_by ?? '—'],
              ['Decided at', time(idea.decided_at)],
            ])
          : h('p', { class: 'muted' }, 'No trade idea.'),
      ),
      h(
        'li',
        null,
        h('h2', null, 'Decisions'),
        chain.decisions.length
          ? h(
              'ol',
              { class: 'timeline' },
              chain.decisions.map((d) => {
                const item = decisionItem(d, assets);
                const rules = rulesOf(d);
                if (rules.length > 0) item.appendChild(ruleList(rules));
                return item;
              }),
            )
          : h('p', { class: 'muted' }, 'No decision recorded.'),
      ),
      h(
        'li',
        null,
        h('h2', null, 'Orders'),
        chain.orders.length
          ? h(
              'ul',
              null,
              chain.orders.map((o) =>
                h(
                  'li',
                  null,
                  `#${o.id} ${o.side} ${quantity(o.quantity)} ${o.type}, ${o.status.replaceAll('_', ' ')}, filled ${quantity(o.filled_quantity)} at ${money(o.average_fill_price)} (${time(o.created_at)})`,
                ),
              ),
            )
          : h('p', { class: 'muted' }, 'No order.'),
      ),
      h(
        'li',
        null,
        h('h2', null, 'Fills'),
        chain.fills.length
          ? h(
              'ul',
              null,
              chain.fills.map((f) =>
                h(
                  'li',
                  null,
                  `#${f.id} of order #${f.order_id}: ${quantity(f.quantity)} at ${money(f.price)}, fee ${money(f.fee)} (${time(f.ts)})`,
                ),
              ),
            )
          : h('p', { class: 'muted' }, 'No fill.'),
      ),
      h(
        'li',
        null,
        h('h2', null, 'Trade'),
        facts([
          ['Trade', `#${t.id} ${t.direction} ${quantity(t.quantity)} ${symbol}`],
          ['Entry', `${money(t.entry_price)} at ${time(t.entry_time)}`],
          ['Exit', t.exit_price ? `${money(t.exit_price)} at ${time(t.exit_time)}` : 'open'],
          ['Fees', money(t.fees)],
          ['P&L', pnl(t.pnl)],
          ['Outcome', t.outcome],
        ]),
      ),
    ),
  );
}
