import type { Child } from 'hono/jsx';
import { SubmitButton } from '../components/field';

/**
 * Inputs for console action forms. One page carries several forms, so every id is prefixed with
 * its form's id; a form re-rendered after a refusal shows its messages and what was typed, and
 * focus goes to the first field that needs fixing (`autofocus`, which htmx honours after a swap).
 */
export type FormFailure = { form: string; errors: Record<string, string[]>; values: Record<string, string> };

/** The messages and values for `form`, when it is the one that failed. */
export function failureFor(failed: FormFailure | undefined, form: string) {
  return failed?.form === form ? { errors: failed.errors, values: failed.values } : { errors: {}, values: {} as Record<string, string> };
}

/** A field's messages, with the id its input's `aria-describedby` points at. */
function FieldErrors({ id, errors }: { id: string; errors?: string[] }) {
  if (!errors?.length) return null;
  return (
    <p class="error" id={`${id}-error`}>
      {errors.join(' ')}
    </p>
  );
}

/** A labelled text input with its messages tied to it for screen readers. */
export function TextField(props: {
  form: string;
  name: string;
  label: string;
  value?: string;
  errors?: string[];
  hint?: string;
  type?: 'text' | 'email';
  inputmode?: 'decimal' | 'text';
  required?: boolean;
}) {
  const id = `${props.form}-${props.name}`;
  const described = [props.hint ? `${id}-hint` : null, props.errors?.length ? `${id}-error` : null].filter(Boolean).join(' ');
  return (
    <div class={props.errors?.length ? 'field invalid' : 'field'}>
      <label for={id}>{props.label}</label>
      {props.hint ? <small id={`${id}-hint`}>{props.hint}</small> : null}
      <input
        id={id}
        name={props.name}
        type={props.type ?? 'text'}
        value={props.value ?? ''}
        inputmode={props.inputmode}
        required={props.required ?? true}
        aria-invalid={props.errors?.length ? 'true' : undefined}
        aria-describedby={described || undefined}
        autofocus={props.errors?.length ? true : undefined}
      />
      <FieldErrors id={id} errors={props.errors} />
    </div>
  );
}

/** A labelled select (every option named), with its messages. */
export function SelectField(props: { form: string; name: string; label: string; options: readonly string[]; value?: string; errors?: string[] }) {
  const id = `${props.form}-${props.name}`;
  return (
    <div class={props.errors?.length ? 'field invalid' : 'field'}>
      <label for={id}>{props.label}</label>
      <select id={id} name={props.name} aria-describedby={props.errors?.length ? `${id}-error` : undefined} autofocus={props.errors?.length ? true : undefined}>
        {props.options.map((option) => (
          <option value={option} selected={option === props.value}>
            {option}
          </option>
        ))}
      </select>
      <FieldErrors id={id} errors={props.errors} />
    </div>
  );
}

/**
 * A staff action: a plain POST form (htmx-boosted, so the page it redirects to replaces this one),
 * always with the required reason, and a form-level message for a refusal not tied to a field.
 */
export function AuditedForm(props: { id: string; action: string; title?: string; button: string; busy?: string; failed?: FormFailure; class?: string; children?: Child }) {
  const { errors, values } = failureFor(props.failed, props.id);
  const general = errors._ ?? [];
  return (
    <form id={props.id} class={props.class ?? 'action-form'} method="post" action={props.action} hx-boost="true" hx-disabled-elt="find button">
      {props.title ? <h3>{props.title}</h3> : null}
      {general.length ? (
        <p class="alert" role="alert" tabindex={-1} autofocus>
          {general.join(' ')}
        </p>
      ) : null}
      {props.children}
      <TextField form={props.id} name="reason" label="Reason" value={values.reason} errors={errors.reason} hint="Why, for the audit log" />
      <SubmitButton label={props.button} busy={props.busy ?? 'Saving…'} />
    </form>
  );
}
