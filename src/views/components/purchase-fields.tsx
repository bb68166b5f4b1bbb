import type { Child } from 'hono/jsx';

export type Option = { value: string; label: string };
export type FormState = { values?: Record<string, string>; errors?: Record<string, string[]>; message?: string };

/** A labelled select with its errors tied to it; extra attributes (htmx) go on the select itself. */
export function SelectField(props: { name: string; label: string; options: Option[]; value?: string; errors?: string[]; hint?: string; attrs?: Record<string, string> }) {
  const id = `field-${props.name}`;
  const describedBy = [props.hint ? `${id}-hint` : null, props.errors?.length ? `${id}-error` : null].filter(Boolean).join(' ');
  return (
    <div class={props.errors?.length ? 'field invalid' : 'field'}>
      <label for={id}>{props.label}</label>
      {props.hint && <small id={`${id}-hint`}>{props.hint}</small>}
      <select id={id} name={props.name} aria-invalid={props.errors?.length ? 'true' : undefined} aria-describedby={describedBy || undefined} {...(props.attrs ?? {})}>
        {props.options.map((o) => (
          <option value={o.value} selected={o.value === props.value}>
            {o.label}
          </option>
        ))}
      </select>
      {props.errors?.length ? (
        <p class="error" id={`${id}-error`}>
          {props.errors.join(' ')}
        </p>
      ) : null}
    </div>
  );
}

/** Radio buttons in a fieldset; each has its own `<label for>` (`field-<name>-<value>`). */
export function RadioField(props: { name: string; legend: string; options: (Option & { hint?: Child })[]; value?: string; errors?: string[] }) {
  return (
    <fieldset class={props.errors?.length ? 'field choices invalid' : 'field choices'}>
      <legend>{props.legend}</legend>
      {props.options.map((o) => {
        const id = `field-${props.name}-${o.value}`;
        return (
          <div class="choice">
            <input type="radio" id={id} name={props.name} value={o.value} checked={o.value === props.value} />
            <label for={id}>{o.label}</label>
            {o.hint && <small>{o.hint}</small>}
          </div>
        );
      })}
      {props.errors?.length ? <p class="error">{props.errors.join(' ')}</p> : null}
    </fieldset>
  );
}

/** The form's main button; `hx-disabled-elt="find .submit"` disables it while htmx waits. */
export function PrimaryButton({ label, busy }: { label: string; busy: string }) {
  return (
    <button type="submit" class="button submit">
      <span class="idle">{label}</span>
      <span class="busy" aria-hidden="true">
        {busy}
      </span>
    </button>
  );
}

/** The htmx attributes every step form shares: post here, swap the panel, disable the button meanwhile. */
export function stepForm(action: string) {
  return { method: 'post', action, 'hx-post': action, 'hx-target': '#buy-panel', 'hx-swap': 'innerHTML', 'hx-disabled-elt': 'find .submit', novalidate: true } as const;
}
