import { readFileSync, writeFileSync } from 'node:fs';
import { JsonNumber, parseJsonLossless } from '../src/backtests/lossless-json.ts';

const raw = parseJsonLossless(readFileSync('/work/shared/data/ft_backtest-result.json', 'utf8')) as any;
const block = raw.strategy.StrategyTestV3;
const drop = ['daily_profit', 'results_per_pair', 'results_per_enter_tag', 'exit_reason_summary', 'left_open_trades', 'best_pair', 'worst_pair', 'locks', 'pairlist'];
const slim: any = {};
for (const [k, v] of Object.entries(block)) if (!drop.includes(k)) slim[k] = v;
slim.trades = block.trades.slice(0, 5);
slim.pairlist = [...new Set(slim.trades.map((t: any) => t.pair))];
const out = { metadata: raw.metadata, strategy: { StrategyTestV3: slim }, strategy_comparison: raw.strategy_comparison };

function write(v: unknown, indent: string): string {
  if (v instanceof JsonNumber) return v.text;
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    return `[\n${v.map((x) => indent + '  ' + write(x, indent + '  ')).join(',\n')}\n${indent}]`;
  }
  if (v !== null && typeof v === 'object') {
    const e = Object.entries(v);
    if (e.length === 0) return '{}';
    return `{\n${e.map(([k, x]) => `${indent}  ${JSON.stringify(k)}: ${write(x, indent + '  ')}`).join(',\n')}\n${indent}}`;
  }
  return JSON.stringify(v);
}
writeFileSync('test/fixtures/backtests/freqtrade-StrategyTestV3-5-trades.json', write(out, '') + '\n');
