/**
 * Strategies and their versions. A strategy's config (entry type, watchlist, session windows, entry
 * conditions, exit rules, forbidden conditions, risk caps, confluence, R:R expectation and free
 * parameters) is hashed as canonical JSON (sorted keys, see canonical.ts); a new strategy_versions
 * row is written only when that sha256 changes, and strategies.current_version_id points at the
 * version in force. Returning to an earlier config points back at its existing version row.
 * Metadata (description, source, confidence, active flag) is not part of the config.
 */
import { z } from 'zod';
import { int, json, strOrNull } from '../db/column-values.ts';
import type { Store } from '../db/store.ts';
import {
  type StrategyConfig,
  strategies,
  type StrategyVersionView,
  strategyVersions,
  type StrategyView,
} from './strategy-rows.ts';
import { inTransaction, type Row, reading, type Tx } from '../db/transaction.ts';
import { STRATEGY_SOURCE_TYPES, type StrategySourceType } from '../entities/common.ts';
import { InvalidInputError, NotFoundError } from '../input/errors.ts';
import { id } from '../input/fields.ts';
import { parseInput } from '../input/parse.ts';
import { configHash } from './canonical.ts';
import { type Keyset, type Page, sqlPage, Where } from '../db/listing.ts';

export type { StrategyConfig, StrategyVersionView, StrategyView } from './strategy-rows.ts';

const rules = z.union([z.record(z.string(), z.json()), z.array(z.json())]);

/**
 * A cap is a limit, so a negative one is a typing error that would block or unblock everything:
 * every number in the caps, and every string that reads as one ("-5"), must be 0 or more.
 */
const riskCaps = rules.superRefine((caps, ctx) => {
  const walk = (value: unknown, path: Array<string | number>) => {
    if (Array.isArray(value)) value.forEach((v, i) => walk(v, [...path, i]));
    else if (value !== null && typeof value === 'object')
      for (const [k, v] of Object.entries(value)) walk(v, [...path, k]);
    else if (
      (typeof value === 'number' && value < 0) ||
      (typeof value === 'string' && value.trim() !== '' && Number(value) < 0)
    )
      ctx.addIssue({ code: 'custom', path, message: `a risk cap cannot be negative (got ${value})` });
  };
  walk(caps, []);
});

const ConfigFields = {
  entryType: z.string().min(1).max(100).nullable().optional(),
  allowedSymbols: z.array(z.string().trim().min(1)).nullable().optional(),
  sessionWindows: rules.nullable().optional(),
  entryConditions: rules.nullable().optional(),
  exitRules: rules.nullable().optional(),
  forbiddenConditions: rules.nullable().optional(),
  riskCaps: riskCaps.nullable().optional(),
  confluenceRequired: rules.nullable().optional(),
  /** Expected reward per unit of risk: a ratio of two sizes, so above 0. */
  rrExpectation: z
    .number()
    .finite()
    .positive({ message: 'a reward-to-risk ratio is above 0 (e.g. 2 for 2:1)' })
    .nullable()
    .optional(),
  parameters: z.record(z.string(), z.json()).nullable().optional(),
};
const CONFIG_KEYS = Object.keys(ConfigFields) as Array<keyof StrategyConfig>;

const MetaFields = {
  description: z.string().nullable().optional(),
  sourceType: z.enum(STRATEGY_SOURCE_TYPES).optional(),
  sourceRef: z.string().nullable().optional(),
  confidence: z.number().min(0).max(1).nullable().optional(),
  isActive: z.boolean().optional(),
};

/** A strategy's name: any text, digits included (address such a one by name, not as an id). */
export const StrategyName = z.string().trim().min(1).max(255);

const RegisterStrategyInput = z.object({ name: StrategyName, ...MetaFields, ...ConfigFields }).strict();
export type RegisterStrategyInput = z.input<typeof RegisterStrategyInput>;

const strategyRef = z.union([id, StrategyName]);

const UpdateStrategyInput = z.object({ strategy: strategyRef, ...MetaFields, ...ConfigFields }).strict();
export type UpdateStrategyInput = z.input<typeof UpdateStrategyInput>;

type Parsed = Partial<z.output<typeof RegisterStrategyInput>>;

/** The versioned config: only the fields that are set (absent and null hash the same). */
function configOf(fields: Parsed): StrategyConfig {
  const config: Record<string, unknown> = {};
  for (const key of CONFIG_KEYS) {
    const value = fields[key];
    if (value !== null && value !== undefined) config[key] = value;
  }
  return config as StrategyConfig;
}

/** A strategy row joined with its current version (`version_hash`, `version_config`). */
export function strategyFromRow(r: Row): StrategyView {
  const { entryType, allowedSymbols, rrExpectation, ...rest } = strategies.fromRow(r);
  const {
    sessionWindows,
    entryConditions,
    exitRules,
    forbiddenConditions,
    riskCaps,
    confluenceRequired,
    ...row
  } = rest;
  const rules = {
    sessionWindows,
    entryConditions,
    exitRules,
    forbiddenConditions,
    riskCaps,
    confluenceRequired,
  };
  const parameters = json<StrategyConfig>(r.version_config)?.parameters ?? null;
  return {
    ...row,
    config: configOf({ entryType, allowedSymbols, rrExpectation, ...rules, parameters } as Parsed),
    currentVersionHash: strOrNull(r.version_hash),
  };
}

export const SELECT_STRATEGY = `select s.*, v.version_hash, v.config as version_config
  from strategies s left join strategy_versions v on v.id = s.current_version_id`;

export async function loadStrategy(
  tx: Tx,
  ref: number | string,
  options: { lock?: boolean } = {},
): Promise<StrategyView> {
  if (options.lock) {
    // PostgreSQL refuses FOR UPDATE on the nullable side of an outer join: lock the row alone first.
    await tx.get(
      `select id from strategies where ${typeof ref === 'number' ? 'id' : 'name'} = ?${tx.forUpdate}`,
      [ref],
    );
  }
  const row = await tx.get(`${SELECT_STRATEGY} where ${typeof ref === 'number' ? 's.id' : 's.name'} = ?`, [
    ref,
  ]);
  // Said apart, because a name may be all digits: `strategy 42` versus `strategy named "42"`.
  if (!row)
    throw new NotFoundError(
      typeof ref === 'number' ? `strategy ${ref} does not exist` : `strategy named "${ref}" does not exist`,
    );
  return strategyFromRow(row);
}

/**
 * The id of the strategy named `name`, created (without a config version, like a bare registration
 * by an importer) when there is none; locked until commit on PostgreSQL, so concurrent importers of
 * the same strategy take turns.
 */
export async function ensureStrategyIn(
  tx: Tx,
  name: string,
  origin: { sourceType: StrategySourceType; sourceRef: string; description: string },
): Promise<number> {
  const lookup = `select id from strategies where name = ?${tx.forUpdate}`;
  const found = await tx.get<{ id: unknown }>(lookup, [name]);
  if (found) return int(found.id);
  const now = new Date();
  const created = await strategies.insertUnlessExists(
    tx,
    {
      name,
      ...origin,
      isActive: true,
      confidence: null,
      entryType: null,
      allowedSymbols: null,
      sessionWindows: null,
      entryConditions: null,
      exitRules: null,
      forbiddenConditions: null,
      riskCaps: null,
      confluenceRequired: null,
      rrExpectation: null,
      currentVersionId: null,
      createdAt: now,
      updatedAt: now,
    },
    'name',
  );
  // A concurrent importer created it first: its row, once that commits.
  return created ? created.id : int((await tx.get<{ id: unknown }>(lookup, [name]))!.id);
}

/**
 * How a registration treated the config in force: `new` (first registration), `replaced` (the
 * given config is the whole config) or `merged` (asked for: fields not given were kept, in `kept`).
 */
export type ConfigUpdate = 'new' | 'replaced' | 'merged';

export interface StrategyChange {
  strategy: StrategyView;
  /** The strategy row was created by this call. */
  created: boolean;
  /** Set by registerStrategy: what happened to the config in force. */
  configUpdate?: ConfigUpdate;
  /** Config fields kept from the version in force (merged registrations only). */
  kept?: Array<keyof StrategyConfig>;
  /** The config hash differs from the previous current version (the pointer moved). */
  versionChanged: boolean;
  /** A strategy_versions row was written (a config never seen before for this strategy). */
  versionCreated: boolean;
}

async function writeStrategy(
  tx: Tx,
  existing: StrategyView | null,
  name: string,
  merged: Parsed,
): Promise<StrategyChange> {
  const now = new Date();
  const config = configOf(merged);
  const hash = configHash(config);
  const fields = {
    name,
    description: merged.description ?? null,
    sourceType: merged.sourceType ?? 'manual',
    sourceRef: merged.sourceRef ?? null,
    isActive: merged.isActive ?? true,
    confidence: merged.confidence ?? null,
    entryType: config.entryType ?? null,
    allowedSymbols: config.allowedSymbols ?? null,
    sessionWindows: config.sessionWindows ?? null,
    entryConditions: config.entryConditions ?? null,
    exitRules: config.exitRules ?? null,
    forbiddenConditions: config.forbiddenConditions ?? null,
    riskCaps: config.riskCaps ?? null,
    confluenceRequired: config.confluenceRequired ?? null,
    rrExpectation: config.rrExpectation ?? null,
    updatedAt: now,
  };
  let strategyId: number;
  if (existing) {
    strategyId = existing.id;
    await strategies.update(tx, strategyId, fields);
  } else {
    strategyId = (await strategies.insert(tx, { ...fields, currentVersionId: null, createdAt: now })).id;
  }

  const versionChanged = existing?.currentVersionHash !== hash;
  let versionCreated = false;
  if (versionChanged) {
    const existingVersion = await tx.get<{ id: unknown }>(
      'select id from strategy_versions where strategy_id = ? and version_hash = ?',
      [strategyId, hash],
    );
    let versionId = existingVersion ? int(existingVersion.id) : null;
    if (versionId === null) {
      versionId = (
        await strategyVersions.insert(tx, { strategyId, versionHash: hash, config, createdAt: now })
      ).id;
      versionCreated = true;
    }
    await strategies.update(tx, strategyId, { currentVersionId: versionId });
  }
  return {
    strategy: await loadStrategy(tx, strategyId),
    created: existing === null,
    versionChanged,
    versionCreated,
  };
}

export interface RegisterOptions {
  /**
   * Keep the config fields the input does not give from the version in force. Without it, an
   * existing strategy's registration must give its whole config: every field the version in force
   * sets must be given (null clears one), so a partial file cannot silently drop rules.
   */
  merge?: boolean;
}

/**
 * Registers a strategy by name, or brings an existing one up to date: the given config replaces
 * the config in force (it must be whole, see `RegisterOptions.merge`), metadata not given is kept.
 * A new version row is written only when the config's hash changes. Bots can call this on every
 * start.
 */
export async function registerStrategy(
  store: Store,
  input: RegisterStrategyInput,
  options: RegisterOptions = {},
): Promise<StrategyChange> {
  const s = parseInput(RegisterStrategyInput, input, 'strategy');
  return inTransaction(store, async (tx) => {
    const found = await tx.get<{ id: unknown }>(`select id from strategies where name = ?${tx.forUpdate}`, [
      s.name,
    ]);
    const existing = found ? await loadStrategy(tx, int(found.id)) : null;
    const merged: Parsed = { ...s };
    const kept: Array<keyof StrategyConfig> = [];
    if (existing) {
      for (const key of Object.keys(MetaFields) as Array<keyof typeof MetaFields>) {
        if (s[key] === undefined) (merged as Record<string, unknown>)[key] = existing[key];
      }
      const missing = CONFIG_KEYS.filter((key) => existing.config[key] !== undefined && s[key] === undefined);
      if (missing.length > 0 && !options.merge) {
        throw new InvalidInputError(
          `registration of strategy "${s.name}": give its whole config (null clears a field), or merge (--merge) to keep what is not given`,
          missing.map((key) => ({ path: key, message: 'set in the config in force, not given' })),
        );
      }
      for (const key of missing) {
        (merged as Record<string, unknown>)[key] = existing.config[key];
        kept.push(key);
      }
    }
    const change = await writeStrategy(tx, existing, s.name, merged);
    const configUpdate: ConfigUpdate = existing === null ? 'new' : options.merge ? 'merged' : 'replaced';
    return { ...change, configUpdate, kept };
  });
}

/** Changes some fields of a strategy (null clears a field); a config change makes a new version. */
export async function updateStrategy(store: Store, input: UpdateStrategyInput): Promise<StrategyChange> {
  const { strategy: ref, ...patch } = parseInput(UpdateStrategyInput, input, 'strategy update');
  return inTransaction(store, async (tx) => {
    const existing = await loadStrategy(tx, ref, { lock: true });
    const merged: Parsed = {
      description: existing.description,
      sourceType: existing.sourceType,
      sourceRef: existing.sourceRef,
      confidence: existing.confidence,
      isActive: existing.isActive,
      ...(existing.config as Parsed),
    };
    for (const [key, value] of Object.entries(patch)) {
      if (value !== undefined) (merged as Record<string, unknown>)[key] = value;
    }
    return writeStrategy(tx, existing, existing.name, merged);
  });
}

async function setActive(store: Store, ref: number | string, active: boolean): Promise<StrategyView> {
  const r = parseInput(strategyRef, ref, 'strategy');
  return inTransaction(store, async (tx) => {
    const existing = await loadStrategy(tx, r, { lock: true });
    if (existing.isActive === active) return existing;
    const now = new Date();
    await strategies.update(tx, existing.id, { isActive: active, updatedAt: now });
    return { ...existing, isActive: active, updatedAt: now };
  });
}

/** Lets the strategy propose trades again. */
export function activateStrategy(store: Store, strategy: number | string): Promise<StrategyView> {
  return setActive(store, strategy, true);
}

/** Stops the strategy's ideas (they are refused) without deleting its history. */
export function deactivateStrategy(store: Store, strategy: number | string): Promise<StrategyView> {
  return setActive(store, strategy, false);
}

export async function getStrategy(store: Store, strategy: number | string): Promise<StrategyView> {
  const r = parseInput(strategyRef, strategy, 'strategy');
  return reading(store, (tx) => loadStrategy(tx, r));
}

/** Strategies by name; `active` filters on the flag. */
export async function listStrategies(
  store: Store,
  query: { active?: boolean } = {},
): Promise<StrategyView[]> {
  const q = parseInput(z.object({ active: z.boolean().optional() }).strict(), query, 'strategy query');
  return reading(store, async (tx) => {
    const rows = await tx.all(
      `${SELECT_STRATEGY}${q.active === undefined ? '' : ' where s.is_active = ?'} order by s.name`,
      q.active === undefined ? [] : [tx.bool(q.active)],
    );
    return rows.map(strategyFromRow);
  });
}

/** Every config a strategy has had, oldest first. */
export async function listStrategyVersions(
  store: Store,
  strategy: number | string,
): Promise<StrategyVersionView[]> {
  const r = parseInput(strategyRef, strategy, 'strategy');
  return reading(store, async (tx) => {
    const s = await loadStrategy(tx, r);
    const rows = await tx.all(
      'select * from strategy_versions where strategy_id = ? order by created_at, id',
      [s.id],
    );
    return rows.map(strategyVersions.fromRow);
  });
}

/** Strategies newest first, a keyset page, optionally only active (or inactive) ones. */
export async function pageStrategies(
  store: Store,
  query: Keyset & { active?: boolean | undefined },
): Promise<Page<StrategyView>> {
  return reading(store, (tx) =>
    sqlPage(tx, {
      from: 'strategies s left join strategy_versions v on v.id = s.current_version_id',
      alias: 's',
      select: 's.*, v.version_hash, v.config as version_config',
      filter: new Where().when(
        query.active,
        's.is_active = ?',
        query.active !== undefined && tx.bool(query.active),
      ),
      keyset: query,
      map: (_tx, rows) => rows.map(strategyFromRow),
    }),
  );
}
