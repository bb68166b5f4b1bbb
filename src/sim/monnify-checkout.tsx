import { formatMoney } from '../views/components/money';
import type { SimTransaction } from './monnify-state';
import { Document } from '../views/layouts/document';

/** The amounts the "Pay less" and "Pay more" buttons pay: half, and one and a half times, the price. */
export function checkoutAmounts(payableKobo: number) {
  return { paid: payableKobo, less: Math.max(1, Math.floor(payableKobo / 2)), more: payableKobo + Math.ceil(payableKobo / 2) };
}

/**
 * Monnify's hosted checkout, as the simulator shows it: what is being paid for, and buttons that pay
 * the exact amount (card), less or more (bank transfer), with switches for how the webhook arrives.
 * No inline script or style, so it works under the app's CSP. Not Monnify's look, only its flow.
 */
export function CheckoutPage({ transaction, action, returnUrl }: { transaction: SimTransaction; action: string; returnUrl: string | null }) {
  const pending = transaction.status === 'PENDING';
  const amounts = checkoutAmounts(transaction.payableKobo);
  const naira = (kobo: number) => formatMoney(kobo, 'NGN');
  return (
    <Document>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>Monnify checkout (simulator)</title>
        <link rel="stylesheet" href="/app.css" />
      </head>
      <body>
        <main class="narrow">
          <h1>Monnify checkout</h1>
          <p class="muted">Simulator: no real money moves.</p>
          <div class="card">
            <p>
              Pay <strong class="amount">{naira(transaction.payableKobo)}</strong>
            </p>
            <p>{transaction.description}</p>
            <p class="muted">
              {transaction.customerName} · {transaction.customerEmail}
            </p>
            <p class="muted">
              Reference <span class="code">{transaction.transactionReference}</span>
            </p>
            <p>
              Status <span class="status">{transaction.status}</span>
            </p>
          </div>
          {pending ? (
            <form method="post" action={action} class="card">
              <p>
                <button type="submit" name="outcome" value="paid" class="button">
                  Pay {naira(amounts.paid)}
                </button>
              </p>
              <p>
                <button type="submit" name="outcome" value="less" class="button secondary">
                  Pay less ({naira(amounts.less)})
                </button>{' '}
                <button type="submit" name="outcome" value="more" class="button secondary">
                  Pay more ({naira(amounts.more)})
                </button>
              </p>
              <p>
                <input type="checkbox" id="sim-duplicate" name="duplicate" value="true" /> <label for="sim-duplicate">Send the webhook twice</label>
              </p>
              <p>
                <input type="checkbox" id="sim-later" name="deliver" value="later" /> <label for="sim-later">Hold the webhook until POST /__sim/monnify/flush</label>
              </p>
            </form>
          ) : (
            <p class="card">
              This payment is complete.{' '}
              {returnUrl && <a href={returnUrl}>Return to the merchant</a>}
            </p>
          )}
        </main>
      </body>
    </Document>
  );
}
