/**
 * The wallet object's SQLite schema as an append-only list of versions: each version's
 * statements run once, in order, in one transaction. Never edit a shipped version; add one.
 *
 * `transfers` and `entries` are the journal: triggers refuse UPDATE and DELETE, so not even a
 * bug in this object can rewrite history. `related_id` (the hold a post or void settles, or the
 * transfer a reversal undoes) is unique, which makes "a hold is settled at most once" and "a
 * transfer is reversed at most once" facts the database enforces; a hold is never reversed and
 * only holds are settled, so one index covers both. Indexes are kept few: every one is written
 * on every posting. `open_holds`, `notices` and `projection` are working state.
 */
const immutable = (table: string) => [
  `CREATE TRIGGER ${table}_no_update BEFORE UPDATE ON ${table} BEGIN SELECT RAISE(ABORT, '${table} are immutable'); END`,
  `CREATE TRIGGER ${table}_no_delete BEFORE DELETE ON ${table} BEGIN SELECT RAISE(ABORT, '${table} are immutable'); END`,
];

export const LEDGER_SCHEMA: readonly (readonly string[])[] = [
  [
    `CREATE TABLE owner (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      user_id TEXT NOT NULL,
      currency TEXT NOT NULL CHECK (currency IN ('KES', 'NGN'))
    ) STRICT`,
    `CREATE TABLE transfers (
      id TEXT PRIMARY KEY,
      kind TEXT NOT NULL CHECK (kind IN ('credit', 'debit', 'hold', 'post', 'void', 'reversal')),
      account TEXT NOT NULL,
      amount INTEGER NOT NULL CHECK (amount > 0),
      reference TEXT,
      related_id TEXT REFERENCES transfers (id),
      deadline INTEGER,
      on_deadline TEXT CHECK (on_deadline IN ('release', 'notify')),
      wallet_seq INTEGER NOT NULL,
      request TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      CHECK ((related_id IS NOT NULL) = (kind IN ('post', 'void', 'reversal'))),
      CHECK ((deadline IS NOT NULL) = (kind = 'hold'))
    ) STRICT, WITHOUT ROWID`,
    'CREATE UNIQUE INDEX transfers_related_once ON transfers (related_id) WHERE related_id IS NOT NULL',
    `CREATE TABLE entries (
      seq INTEGER PRIMARY KEY,
      transfer_id TEXT NOT NULL REFERENCES transfers (id),
      account TEXT NOT NULL,
      direction TEXT NOT NULL CHECK (direction IN ('debit', 'credit')),
      amount INTEGER NOT NULL CHECK (amount > 0),
      status TEXT NOT NULL CHECK (status IN ('pending', 'posted', 'voided')),
      balance_after INTEGER,
      held_after INTEGER,
      created_at INTEGER NOT NULL,
      hash TEXT NOT NULL
    ) STRICT`,
    `CREATE INDEX entries_wallet_side ON entries (seq) WHERE account = 'wallet'`,
    ...immutable('transfers'),
    ...immutable('entries'),
    `CREATE TABLE open_holds (
      hold_id TEXT PRIMARY KEY REFERENCES transfers (id),
      amount INTEGER NOT NULL CHECK (amount > 0),
      deadline INTEGER NOT NULL,
      on_deadline TEXT NOT NULL CHECK (on_deadline IN ('release', 'notify')),
      notified_at INTEGER
    ) STRICT`,
    'CREATE INDEX open_holds_deadline ON open_holds (deadline)',
    'CREATE TABLE notices (seq INTEGER PRIMARY KEY, body TEXT NOT NULL, created_at INTEGER NOT NULL) STRICT',
    'CREATE TABLE projection (id INTEGER PRIMARY KEY CHECK (id = 1), delivered_seq INTEGER NOT NULL) STRICT',
    'INSERT INTO projection (id, delivered_seq) VALUES (1, 0)',
  ],
];

/** Brings the object's storage up to the latest version; safe to run on every start. */
export function migrateLedger(storage: DurableObjectStorage): void {
  const sql = storage.sql;
  sql.exec('CREATE TABLE IF NOT EXISTS schema_versions (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL) STRICT');
  const current = sql.exec<{ version: number | null }>('SELECT max(version) AS version FROM schema_versions').one().version ?? 0;
  LEDGER_SCHEMA.slice(current).forEach((statements, index) => {
    storage.transactionSync(() => {
      for (const statement of statements) sql.exec(statement);
      sql.exec('INSERT INTO schema_versions (version, applied_at) VALUES (?, ?)', current + index + 1, Date.now());
    });
  });
}
