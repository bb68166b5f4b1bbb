/**
 * The one `node:crypto` call the ledger makes (available through `nodejs_compat`): a synchronous
 * SHA-256, because the hash chain is computed inside `transactionSync`, where nothing may be
 * awaited. Declared here rather than pulling in all of @types/node.
 */
declare module 'node:crypto' {
  interface Hash {
    update(data: string): Hash;
    digest(encoding: 'hex'): string;
  }
  export function createHash(algorithm: 'sha256'): Hash;
}
