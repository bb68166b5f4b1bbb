/** A labelled input with its error messages tied to it for screen readers. */
export function Field(props: {
  name: string;
  /** Defaults to `field-<name>`; set it when two forms on one page share a field name. */
  id?: string;
  label: string;
  type?: string;
  value?: string;
  errors?: string[];
  hint?: string;
  autocomplete?: string;
  required?: boolean;
  inputmode?: 'numeric' | 'tel' | 'email' | 'decimal' | 'text';
}) {
  const id = props.id ?? `field-${props.name}`;
  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;
  const describedBy = [props.hint ? hintId : null, props.errors?.length ? errorId : null].filter(Boolean).join(' ');
  return (
    <div class={props.errors?.length ? 'field invalid' : 'field'}>
      <label for={id}>{props.label}</label>
      {props.hint && <small id={hintId}>{props.hint}</small>}
      <input
        id={id}
        name={props.name}
        type={props.type ?? 'text'}
        value={props.value ?? ''}
        autocomplete={props.autocomplete}
        required={props.required}
        inputmode={props.inputmode}
        aria-invalid={props.errors?.length ? 'true' : undefined}
        aria-describedby={describedBy || undefined}
      />
      {props.errors?.length ? (
        <p class="error" id={errorId}>
          {props.errors.join(' ')}
        </p>
      ) : null}
    </div>
  );
}

/** A form-level message (e.g. wrong password) announced to screen readers. */
export function FormAlert({ message }: { message?: string }) {
  return message ? (
    <p class="alert" role="alert">
      {message}
    </p>
  ) : null;
}

/** Submit button that shows a spinner while htmx is waiting for the answer. */
export function SubmitButton({ label, busy }: { label: string; busy: string }) {
  return (
    <button type="submit" class="button">
      <span class="idle">{label}</span>
      <span class="busy" aria-hidden="true">
        {busy}
      </span>
    </button>
  );
}
