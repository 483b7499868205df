// Child process for the SQLite concurrency test: n transactions that read, then write.
import { openStore } from '../../src/db/store.ts';

const [url, tag, n] = process.argv.slice(2) as [string, string, string];
const store = await openStore(url);
let errors = 0;
for (let i = 0; i < Number(n); i++) {
  try {
    await store.em().transactional(async (em) => {
      const conn = em.getConnection();
      const [row] = (await conn.execute(
        'select count(*) as c from probe',
        [],
        'all',
        em.getTransactionContext(),
      )) as Array<{ c: number }>;
      await conn.execute(
        'insert into probe (writer, seen) values (?, ?)',
        [tag, Number(row?.c ?? 0)],
        'run',
        em.getTransactionContext(),
      );
    });
  } catch (error) {
    errors++;
    process.stderr.write(`${(error as Error).message}\n`);
  }
}
await store.close();
process.exit(errors === 0 ? 0 : 1);
