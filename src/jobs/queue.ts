import { getConfig } from '../config';
import { database } from '../db/client';
import { log } from '../lib/log';
import { recordAnomaly } from '../services/deposits';
import { monnifyAccountDeps, reserveAccountFor } from '../services/monnify-accounts';
import { checkMpesaDeposit, mpesaDepositDeps } from '../services/mpesa-deposits';
import { handlePurchaseHoldDeadline, purchaseDeps, requeryPurchase } from '../services/purchases';
import { jobMessage, type JobMessage } from './messages';

/** Retry delays for a message whose handler threw (a bug or an outage), growing per attempt. */
export function retryDelaySeconds(attempts: number): number {
  return Math.min(15 * 2 ** Math.max(0, attempts - 1), 900);
}

async function handle(env: Env, message: JobMessage): Promise<void> {
  switch (message.type) {
    case 'deposit.check':
      await checkMpesaDeposit(mpesaDepositDeps(env, getConfig(env)), message.depositId, message.attempt);
      return;
    case 'monnify.reserve-account':
      // Throws until Monnify answers with an account, so the consumer retries with a growing delay.
      await reserveAccountFor(monnifyAccountDeps(env, getConfig(env)), message.userId);
      return;
    case 'purchase.requery':
      await requeryPurchase(purchaseDeps(env, getConfig(env)), message.purchaseId, message.attempt);
      return;
    case 'ledger.hold-deadline':
      // Holds that ask to be told belong to purchases, which requery their provider first.
      log('info', 'hold deadline reached', { holdId: message.holdId, reference: message.reference });
      if (message.reference.startsWith('purchase:') && message.currency === 'NGN') await handlePurchaseHoldDeadline(purchaseDeps(env, getConfig(env)), message);
      return;
  }
}

/**
 * The JOBS consumer. A body that does not parse is dead on arrival (acked and logged, since a
 * retry cannot fix it); a handler that throws is retried with a growing delay until the queue's
 * max_retries sends it to the dead-letter queue.
 */
export async function consumeJobs(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  if (batch.queue.endsWith('-dlq')) return consumeDeadLetters(batch, env);
  for (const message of batch.messages) {
    const parsed = jobMessage.safeParse(message.body);
    if (!parsed.success) {
      log('error', 'unreadable job message', { id: message.id, body: JSON.stringify(message.body).slice(0, 500) });
      message.ack();
      continue;
    }
    try {
      await handle(env, parsed.data);
      message.ack();
    } catch (error) {
      log('error', 'job failed', { id: message.id, type: parsed.data.type, attempts: message.attempts, error: String(error) });
      message.retry({ delaySeconds: retryDelaySeconds(message.attempts) });
    }
  }
}

/** Messages that exhausted their retries: recorded for staff, never silently dropped. */
async function consumeDeadLetters(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const db = database(env.DB);
  for (const message of batch.messages) {
    const body = message.body as { type?: string; depositId?: string };
    await recordAnomaly(db, { kind: 'job_dead_letter', depositId: body?.depositId ?? null, details: { messageId: message.id, body } });
    message.ack();
  }
}
