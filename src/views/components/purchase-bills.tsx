import type { BillVerification } from '../../services/bills';
import { Field, FormAlert } from './field';
import { formatNaira } from './purchase-format';
import { PrimaryButton, RadioField, SelectField, stepForm, type FormState } from './purchase-fields';
import { chosen, PlanSelect, serviceOptions, type ServiceOption } from './purchase-forms';

const METER_TYPES = [
  { value: 'prepaid', label: 'Prepaid (you get a token)' },
  { value: 'postpaid', label: 'Postpaid (pays your bill)' },
];

/** Electricity, step 1: which meter. Nothing is priced until its owner is known. */
export function ElectricityForm({ services, values = {}, errors = {}, message }: FormState & { services: ServiceOption[] }) {
  return (
    <form id="buy-form" {...stepForm('/buy/verify')}>
      <FormAlert message={message} />
      <input type="hidden" name="tab" value="electricity" />
      <SelectField name="serviceId" label="Electricity company" options={serviceOptions(services)} value={chosen(services, values.serviceId)?.serviceId} errors={errors.serviceId} />
      <RadioField name="variationCode" legend="Meter type" options={METER_TYPES} value={values.variationCode ?? 'prepaid'} errors={errors.variationCode ?? errors.type} />
      <Field name="recipient" label="Meter number" inputmode="numeric" value={values.recipient} errors={errors.recipient ?? errors.billersCode} hint="The number on your meter or your last token receipt" required />
      <PrimaryButton label="Verify meter" busy="Checking the meter…" />
    </form>
  );
}

/** TV, step 1: which smartcard. */
export function TvForm({ services, values = {}, errors = {}, message }: FormState & { services: ServiceOption[] }) {
  return (
    <form id="buy-form" {...stepForm('/buy/verify')}>
      <FormAlert message={message} />
      <input type="hidden" name="tab" value="tv" />
      <SelectField name="serviceId" label="TV provider" options={serviceOptions(services)} value={chosen(services, values.serviceId)?.serviceId} errors={errors.serviceId} />
      <Field name="recipient" label="Smartcard (IUC) number" inputmode="numeric" value={values.recipient} errors={errors.recipient ?? errors.billersCode} hint="Printed on the decoder's card, or press Info on the remote" required />
      <PrimaryButton label="Verify smartcard" busy="Checking the smartcard…" />
    </form>
  );
}

/** Who the meter or smartcard belongs to, as VTpass told us just now. */
export function VerifiedCustomer({ v }: { v: BillVerification }) {
  return (
    <div class="verified notice" id="verified-customer" tabindex={-1} autofocus>
      <p class="verified-name">
        <strong>{v.customerName}</strong>
      </p>
      <dl class="summary">
        <dt>{v.category === 'electricity' ? 'Meter' : 'Smartcard'}</dt>
        <dd class="code">{v.billersCode}</dd>
        <dt>{v.category === 'electricity' ? 'Company' : 'Provider'}</dt>
        <dd>{v.serviceName}</dd>
        {v.meterType && (
          <>
            <dt>Meter type</dt>
            <dd>{v.meterType === 'prepaid' ? 'Prepaid' : 'Postpaid'}</dd>
          </>
        )}
        {v.address && (
          <>
            <dt>Address</dt>
            <dd>{v.address}</dd>
          </>
        )}
        {v.currentBouquet && (
          <>
            <dt>Current bouquet</dt>
            <dd>{v.currentBouquet}</dd>
          </>
        )}
        {v.renewalAmount !== null && (
          <>
            <dt>Renewal amount</dt>
            <dd>{formatNaira(v.renewalAmount)}</dd>
          </>
        )}
        {v.dueDate && (
          <>
            <dt>Due date</dt>
            <dd>{v.dueDate}</dd>
          </>
        )}
      </dl>
      {v.canVend === false && <p class="alert">The electricity company says this meter cannot take a payment right now.</p>}
    </div>
  );
}

/** Electricity, step 2: the verified owner, then how much. */
export function MeterAmountForm({ v, values = {}, errors = {}, message }: FormState & { v: BillVerification }) {
  const minimum = v.minimumAmount ? `, at least ${formatNaira(v.minimumAmount)}` : '';
  return (
    <>
      <VerifiedCustomer v={v} />
      <form id="buy-form" {...stepForm('/buy/confirm')}>
        <FormAlert message={message} />
        <BillHiddenFields tab="electricity" v={v} />
        <input type="hidden" name="variationCode" value={v.meterType ?? ''} />
        <Field name="amount" label="Amount (₦)" inputmode="numeric" value={values.amount} errors={errors.amount} hint={`Whole naira${minimum}`} required />
        <NotifyPhone values={values} errors={errors} what="The token is also sent to this number" />
        <PrimaryButton label="Continue" busy="Checking…" />
        <p>
          <a href="/buy?tab=electricity">Use another meter</a>
        </p>
      </form>
    </>
  );
}

/** TV, step 2: renew what the card has, or change to another bouquet. */
export function TvChoiceForm({ v, service, values = {}, errors = {}, message }: FormState & { v: BillVerification; service: ServiceOption }) {
  const renewal = v.renewalAmount
    ? [{ value: 'renew', label: `Renew ${v.currentBouquet ?? 'the current bouquet'} for ${formatNaira(v.renewalAmount)}` }]
    : [];
  const options = [...renewal, { value: 'change', label: 'Change to another bouquet (choose below)' }];
  return (
    <>
      <VerifiedCustomer v={v} />
      <form id="buy-form" {...stepForm('/buy/confirm')}>
        <FormAlert message={message} />
        <BillHiddenFields tab="tv" v={v} />
        <RadioField name="subscription" legend="What would you like to pay for?" options={options} value={values.subscription ?? options[0]!.value} errors={errors.subscription} />
        <PlanSelect service={service} label="New bouquet" value={values.variationCode} errors={errors.variationCode} />
        <NotifyPhone values={values} errors={errors} what="The provider sends its confirmation to this number" />
        <PrimaryButton label="Continue" busy="Checking…" />
        <p>
          <a href="/buy?tab=tv">Use another smartcard</a>
        </p>
      </form>
    </>
  );
}

function BillHiddenFields({ tab, v }: { tab: string; v: BillVerification }) {
  return (
    <>
      <input type="hidden" name="tab" value={tab} />
      <input type="hidden" name="serviceId" value={v.serviceId} />
      <input type="hidden" name="recipient" value={v.billersCode} />
    </>
  );
}

function NotifyPhone({ values, errors, what }: { values: Record<string, string>; errors: Record<string, string[]>; what: string }) {
  return <Field name="phone" label="Your phone number" type="tel" inputmode="tel" autocomplete="tel" value={values.phone} errors={errors.phone} hint={`11 digits, e.g. 08031234567. ${what}.`} required />;
}
