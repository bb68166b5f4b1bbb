import { getTableColumns, getTableName } from 'drizzle-orm';
import { ledgerEntries } from '../db/schema/ledger';
import type { Journal } from './ledger-journal';
import type { JournalEntry, WalletOwner } from './ledger-types';

/**
 * The object's outbox: what it owes D1 and the JOBS queue, drained after commits and by the
 * alarm until acknowledged.
 *
 * For the D1 projection the journal itself is the outbox: `projection.delivered_seq` marks the
 * last entry D1 acknowledged and everything after it is still owed. Rows are inserted with
 * INSERT OR IGNORE on the entry id, so a crash between D1's answer and moving the mark only
 * causes a harmless resend. Queue notices wait in `notices` until the queue accepted them.
 */
const BATCH = 100;

/**
 * One statement per batch: the rows travel as a single JSON parameter (D1 allows 100 bound
 * parameters per statement, far fewer than a batch of rows needs). The columns come from the
 * drizzle table, so the statement follows the schema.
 */
const COLUMNS = Object.entries(getTableColumns(ledgerEntries));
const INSERT_ENTRIES = `INSERT OR IGNORE INTO ${getTableName(ledgerEntries)} (${COLUMNS.map(([, column]) => column.name).join(', ')})
  SELECT ${COLUMNS.map(([key]) => `value ->> '$.${key}'`).join(', ')} FROM json_each(?)`;

export class Outbox {
  constructor(private readonly sql: SqlStorage) {}

  deliveredSeq(): number {
    return this.sql.exec<{ delivered_seq: number }>('SELECT delivered_seq FROM projection').one().delivered_seq;
  }

  /** Only moves forward, so a late acknowledgement cannot make history be sent again. */
  markDelivered(seq: number): void {
    this.sql.exec('UPDATE projection SET delivered_seq = max(delivered_seq, ?)', seq);
  }

  addNotice(body: unknown, now: number): void {
    this.sql.exec('INSERT INTO notices (body, created_at) VALUES (?, ?)', JSON.stringify(body), now);
  }

  notices(limit: number): { seq: number; body: string }[] {
    return this.sql.exec<{ seq: number; body: string }>('SELECT seq, body FROM notices ORDER BY seq LIMIT ?', limit).toArray();
  }

  dropNotices(throughSeq: number): void {
    this.sql.exec('DELETE FROM notices WHERE seq <= ?', throughSeq);
  }

  /** Whether anything committed up to `lastSeq` still waits for D1 or the queue. */
  owes(lastSeq: number): boolean {
    return this.deliveredSeq() < lastSeq || this.notices(1).length > 0;
  }

  /** Copies every undelivered entry to D1; throws (leaving the mark) if D1 refuses. */
  async deliverEntries(d1: D1Database, journal: Journal, owner: WalletOwner): Promise<void> {
    for (;;) {
      const entries = journal.entriesAfter(this.deliveredSeq(), BATCH);
      const last = entries.at(-1);
      if (!last) return;
      const projectedAt = Date.now();
      await d1.prepare(INSERT_ENTRIES).bind(JSON.stringify(entries.map((entry) => projectionRow(entry, owner, projectedAt)))).run();
      this.markDelivered(last.seq);
      if (entries.length < BATCH) return;
    }
  }

  /** Sends every waiting notice to the queue; throws (keeping them) if the queue refuses. */
  async deliverNotices(queue: Queue): Promise<void> {
    for (;;) {
      const notices = this.notices(BATCH);
      const last = notices.at(-1);
      if (!last) return;
      await queue.sendBatch(notices.map((notice) => ({ body: JSON.parse(notice.body) as unknown, contentType: 'json' as const })));
      this.dropNotices(last.seq);
    }
  }
}

function projectionRow(entry: JournalEntry, owner: WalletOwner, projectedAt: number): typeof ledgerEntries.$inferInsert {
  return { ...entry, userId: owner.userId, currency: owner.currency, projectedAt };
}
