import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

/** Milliseconds since the epoch; every timestamp in D1 uses this form. */
const timestamp = (name: string) => integer(name, { mode: 'number' });

/** Access tokens the Monnify simulator issued, so any isolate can check a Bearer. Dev and tests only. */
export const simMonnifyTokens = sqliteTable('sim_monnify_tokens', {
  token: text('token').primaryKey(),
  expiresAt: timestamp('expires_at').notNull(),
});

/** Reserved accounts the simulator created, one per `accountReference` (the customer). */
export const simMonnifyReservedAccounts = sqliteTable('sim_monnify_reserved_accounts', {
  accountReference: text('account_reference').primaryKey(),
  reservationReference: text('reservation_reference').notNull(),
  accountName: text('account_name').notNull(),
  customerName: text('customer_name').notNull(),
  customerEmail: text('customer_email').notNull(),
  bvn: text('bvn'),
  nin: text('nin'),
  contractCode: text('contract_code').notNull(),
  createdAt: timestamp('created_at').notNull(),
});

/** The NUBANs of each reserved account (one per partner bank), found by number when a transfer arrives. */
export const simMonnifyBankAccounts = sqliteTable(
  'sim_monnify_bank_accounts',
  {
    accountNumber: text('account_number').primaryKey(),
    accountReference: text('account_reference').notNull(),
    bankCode: text('bank_code').notNull(),
    bankName: text('bank_name').notNull(),
  },
  (t) => [index('sim_monnify_bank_accounts_reference_idx').on(t.accountReference)],
);

/**
 * Collections the simulator knows: checkouts from init-transaction (`WEB_SDK`, PENDING until paid on
 * the checkout page) and transfers into reserved accounts (`RESERVED_ACCOUNT`, paid at once).
 */
export const simMonnifyTransactions = sqliteTable(
  'sim_monnify_transactions',
  {
    transactionReference: text('transaction_reference').primaryKey(),
    paymentReference: text('payment_reference').notNull(),
    productType: text('product_type', { enum: ['WEB_SDK', 'RESERVED_ACCOUNT'] }).notNull(),
    /** The merchant's paymentReference (checkout) or the accountReference (reserved account). */
    productReference: text('product_reference').notNull(),
    status: text('status', { enum: ['PENDING', 'PAID', 'PARTIALLY_PAID', 'OVERPAID'] }).notNull(),
    /** What the customer was asked to pay (totalPayable), kobo. */
    payableKobo: integer('payable_kobo').notNull(),
    paidKobo: integer('paid_kobo').notNull().default(0),
    paymentMethod: text('payment_method'),
    description: text('description').notNull(),
    customerName: text('customer_name').notNull(),
    customerEmail: text('customer_email').notNull(),
    redirectUrl: text('redirect_url'),
    /** JSON object, echoed in verify answers and webhooks. */
    metaData: text('meta_data').notNull().default('{}'),
    /** The reserved NUBAN a transfer went to. */
    destinationAccountNumber: text('destination_account_number'),
    destinationBankCode: text('destination_bank_code'),
    destinationBankName: text('destination_bank_name'),
    /** The payer's account, for transfers. */
    sourceAccountName: text('source_account_name'),
    sourceAccountNumber: text('source_account_number'),
    sourceBankCode: text('source_bank_code'),
    sessionId: text('session_id'),
    paidAt: timestamp('paid_at'),
    createdAt: timestamp('created_at').notNull(),
  },
  (t) => [uniqueIndex('sim_monnify_transactions_payment_reference_unique').on(t.paymentReference)],
);

/**
 * Each `SUCCESSFUL_TRANSACTION` notification the simulator owes, with the exact signed body. `due`
 * until our webhook answers 2xx (a `POST /flush` resends it, as Monnify retries), or held back on
 * purpose until a flush.
 */
export const simMonnifyWebhooks = sqliteTable(
  'sim_monnify_webhooks',
  {
    id: text('id').primaryKey(),
    transactionReference: text('transaction_reference').notNull(),
    url: text('url').notNull(),
    body: text('body').notNull(),
    status: text('status', { enum: ['due', 'sending', 'delivered', 'gave-up'] }).notNull(),
    attempts: integer('attempts').notNull().default(0),
    /** HTTP status (or error) of the last attempt, for debugging in dev. */
    lastResult: text('last_result'),
    createdAt: timestamp('created_at').notNull(),
    updatedAt: timestamp('updated_at').notNull(),
  },
  (t) => [index('sim_monnify_webhooks_status_idx').on(t.status, t.createdAt)],
);

/** Failures the simulator was told to inject: the next `remaining` calls of `operation` fail this way. */
export const simMonnifyFaults = sqliteTable('sim_monnify_faults', {
  operation: text('operation').primaryKey(),
  remaining: integer('remaining').notNull(),
  kind: text('kind', { enum: ['error', 'lost'] }).notNull(),
});
