import { raw } from '@mikro-orm/core';
import { scratchUrl } from '../test/support/dialects.ts';
import { openStore } from '../src/db/store.ts';
import { migrateUp } from '../src/migrate/runner.ts';
import { NewsItem, BotStatus, LearningEntry } from '../src/entities/index.ts';

for (const dialect of ['sqlite', 'postgresql'] as const) {
  const s = await scratchUrl(dialect);
  const store = await openStore(s.url);
  await migrateUp(store);
  const em = store.em();
  const rows = [
    { dedupKey: 'a', headline: 'h1', symbols: ['BTC'], publishedAt: new Date(1000), capturedAt: new Date(2000) },
    { dedupKey: 'b', headline: 'h2', symbols: null, publishedAt: null, capturedAt: new Date(2000) },
  ];
  const r1 = await em.createQueryBuilder(NewsItem).insert(rows).onConflict('dedupKey').ignore().execute('run');
  console.log(dialect, 'r1', r1);
  const r2 = await em.createQueryBuilder(NewsItem).insert(rows[0]!).onConflict('dedupKey').ignore().execute('run');
  console.log(dialect, 'r2', r2);
  const found = await store.em().find(NewsItem, {}, { orderBy: { id: 'asc' } });
  console.log(found.map((f) => [f.id, f.dedupKey, f.symbols, f.publishedAt, f.capturedAt]));
  console.log(await store.kysely.selectFrom('news_items').selectAll().execute());
  const b = await store.em().upsert(BotStatus, { key: 'hb', value: { n: 1 }, updatedAt: new Date(5) });
  const b2 = await store.em().upsert(BotStatus, { key: 'hb', value: [1, 'x'], updatedAt: new Date(6) });
  console.log(b, b2, await store.kysely.selectFrom('bot_status').selectAll().execute());
  const le = store.em().create(LearningEntry, { insight: 'x' } as never);
  await store.em().persist(le).flush();
  const n = await store.em().nativeUpdate(LearningEntry, { id: (le as LearningEntry).id }, { validationCount: raw('validation_count + 1') });
  console.log('n', n, await store.kysely.selectFrom('learning_entries').select(['id','validation_count','test_mode','created_at']).execute());
  await store.close();
  await s.dispose();
}
