/** Every D1 table, one file per domain; drizzle-kit generates `migrations/` from this folder. */
export * from './accounts';
export * from './sim-vtpass';
export * from './sim-mpesa';
export * from './ledger';
export * from './deposits';
export * from './sim-access';
export * from './sim-monnify';
export * from './monnify';
export * from './catalog';
export * from './purchases';
export * from './admin';
