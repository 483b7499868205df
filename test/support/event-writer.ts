// Child process for the events tests: n transactions of two events each (writer tag w, index i).
import { openStore } from '../../src/db/store.ts';
import { inTransaction } from '../../src/db/transaction.ts';
import { recordEvent } from '../../src/events/outbox.ts';

const [url, w, n] = process.argv.slice(2) as [string, string, string];
const store = await openStore(url);
for (let i = 0; i < Number(n); i++) {
  await inTransaction(store, async (tx) => {
    recordEvent(tx, { topic: 'signal', portfolioId: null, payload: { change: 'recorded', w, i, n: 0 } });
    // Work between the change and the commit, so transactions overlap on PostgreSQL.
    await tx.get('select 1 as one');
    recordEvent(tx, { topic: 'signal', portfolioId: null, payload: { change: 'recorded', w, i, n: 1 } });
  });
}
await store.close();
