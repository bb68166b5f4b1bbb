import type { Child } from 'hono/jsx';
import { Notice } from './parts';

/**
 * A console list's filters as a GET form, so every filtered view is a plain URL that works without
 * JS. `problem` says why the filters were refused (400), under the form that still holds what was typed.
 */
export function FilterForm({ action, problem, children }: { action: string; problem?: string; children: Child }) {
  return (
    <>
      <form class="filters" method="get" action={action} role="search">
        {children}
        <button type="submit" class="button small">
          Apply
        </button>
      </form>
      <Notice message={problem} tone="error" />
    </>
  );
}

/** A labelled select for a filter form; the empty option means "any". */
export function ChoiceField({ name, label, options, value }: { name: string; label: string; options: readonly string[]; value?: string }) {
  const id = `filter-${name}`;
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <select id={id} name={name}>
        <option value="">Any</option>
        {options.map((option) => (
          <option value={option} selected={option === value}>
            {option}
          </option>
        ))}
      </select>
    </div>
  );
}

/** A labelled text, search or date input for a filter form. */
export function InputField({ name, label, type = 'text', value, hint }: { name: string; label: string; type?: 'text' | 'search' | 'date'; value?: string; hint?: string }) {
  const id = `filter-${name}`;
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {hint ? <small id={`${id}-hint`}>{hint}</small> : null}
      <input id={id} name={name} type={type} value={value ?? ''} aria-describedby={hint ? `${id}-hint` : undefined} />
    </div>
  );
}
