import { Field, FormAlert } from './field';
import { formatNaira } from './purchase-format';
import { PrimaryButton, SelectField, stepForm, type FormState } from './purchase-fields';

/** A catalogue service as the forms need it (the shape of `publicCatalog`); amounts in kobo. */
export type ServiceOption = { serviceId: string; name: string; minAmount: number; maxAmount: number; variations: { code: string; name: string; amount: number | null }[] };

/** The options of a service select. */
export function serviceOptions(services: ServiceOption[]) {
  return services.map((s) => ({ value: s.serviceId, label: s.name }));
}

/** The chosen service, or the first one when none (or an unknown one) was chosen. */
export function chosen(services: ServiceOption[], serviceId: string | undefined): ServiceOption | undefined {
  return services.find((s) => s.serviceId === serviceId) ?? services[0];
}

function amountHint(service: ServiceOption | undefined) {
  return service ? `Whole naira, ${formatNaira(service.minAmount)} to ${formatNaira(service.maxAmount)}` : 'Whole naira';
}

/** Airtime: network, phone and face value; the next step is the confirmation. */
export function AirtimeForm({ services, values = {}, errors = {}, message }: FormState & { services: ServiceOption[] }) {
  const service = chosen(services, values.serviceId);
  return (
    <form id="buy-form" {...stepForm('/buy/confirm')}>
      <FormAlert message={message} />
      <input type="hidden" name="tab" value="airtime" />
      <SelectField name="serviceId" label="Network" options={serviceOptions(services)} value={service?.serviceId} errors={errors.serviceId} />
      <Field name="recipient" label="Phone number" type="tel" inputmode="tel" autocomplete="tel" value={values.recipient} errors={errors.recipient} hint="The 11-digit number to top up, e.g. 08031234567" required />
      <Field name="amount" label="Amount (₦)" inputmode="numeric" value={values.amount} errors={errors.amount} hint={amountHint(service)} required />
      <PrimaryButton label="Continue" busy="Checking…" />
    </form>
  );
}

/**
 * Data: the plans follow the network. With JS, changing the network fetches `/buy/plans`; without
 * it, "Show plans" reloads this tab for the chosen network (a GET, so nothing is bought).
 */
export function DataForm({ services, values = {}, errors = {}, message }: FormState & { services: ServiceOption[] }) {
  const service = chosen(services, values.serviceId);
  // `unset`: the form's hx-disabled-elt (its submit button) is not this request's to disable.
  const plansRequest = { 'hx-get': '/buy/plans', 'hx-trigger': 'change', 'hx-target': '#plans', 'hx-swap': 'outerHTML', 'hx-indicator': '#plans-loading', 'hx-disabled-elt': 'unset' };
  return (
    <form id="buy-form" {...stepForm('/buy/confirm')}>
      <FormAlert message={message} />
      <input type="hidden" name="tab" value="data" />
      <SelectField name="serviceId" label="Network" options={serviceOptions(services)} value={service?.serviceId} errors={errors.serviceId} attrs={plansRequest} />
      <p class="no-js">
        <button type="submit" class="button secondary small" formaction="/buy" formmethod="get" name="tab" value="data">
          Show plans for this network
        </button>
      </p>
      <p id="plans-loading" class="htmx-indicator muted busy">
        Loading plans…
      </p>
      {service && <PlanSelect service={service} value={values.variationCode} errors={errors.variationCode} />}
      <Field name="recipient" label="Phone number" type="tel" inputmode="tel" autocomplete="tel" value={values.recipient} errors={errors.recipient} hint="The 11-digit number that gets the data" required />
      <PrimaryButton label="Continue" busy="Checking…" />
    </form>
  );
}

/** The plans of one data network (or bouquets of a TV provider), priced as we sell them. The htmx fragment of `/buy/plans`. */
export function PlanSelect({ service, value, errors, label = 'Plan' }: { service: ServiceOption; value?: string; errors?: string[]; label?: string }) {
  const plans = service.variations.filter((v): v is { code: string; name: string; amount: number } => v.amount !== null);
  return (
    <div id="plans">
      <SelectField
        name="variationCode"
        label={label}
        options={plans.map((p) => ({ value: p.code, label: `${p.name}: you pay ${formatNaira(p.amount)}` }))}
        value={value}
        errors={errors}
        hint={`${service.name}. The price shown is what leaves your wallet.`}
      />
    </div>
  );
}
