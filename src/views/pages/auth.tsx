import { Field, FormAlert, SubmitButton } from '../components/field';
import { Base } from '../layouts/base';

type FormState = { values?: Record<string, string>; errors?: Record<string, string[]>; message?: string };

/** The signup form; also the htmx fragment re-rendered with messages on a 422. */
export function SignupForm({ values = {}, errors = {}, message }: FormState) {
  return (
    <form id="signup-form" method="post" action="/signup" hx-post="/signup" hx-target="this" hx-swap="outerHTML" hx-disabled-elt="find button" novalidate>
      <FormAlert message={message} />
      <Field name="name" label="Full name" value={values.name} errors={errors.name} autocomplete="name" required />
      <Field name="email" label="Email" type="email" value={values.email} errors={errors.email} autocomplete="email" inputmode="email" required />
      <Field name="phone" label="Phone (optional)" type="tel" value={values.phone} errors={errors.phone} autocomplete="tel" inputmode="tel" hint="For M-Pesa, e.g. 0712 345 678" />
      <Field name="password" label="Password" type="password" errors={errors.password} autocomplete="new-password" hint="At least 10 characters" required />
      <Field name="referralCode" label="Referral code (optional)" value={values.referralCode} errors={errors.referralCode} autocomplete="off" />
      <SubmitButton label="Create account" busy="Creating your account…" />
    </form>
  );
}

export function LoginForm({ values = {}, errors = {}, message, next }: FormState & { next?: string }) {
  return (
    <form id="login-form" method="post" action="/login" hx-post="/login" hx-target="this" hx-swap="outerHTML" hx-disabled-elt="find button" novalidate>
      <FormAlert message={message} />
      <input type="hidden" name="next" value={next ?? ''} />
      <Field name="email" label="Email" type="email" value={values.email} errors={errors.email} autocomplete="email" inputmode="email" required />
      <Field name="password" label="Password" type="password" errors={errors.password} autocomplete="current-password" required />
      <SubmitButton label="Log in" busy="Logging in…" />
    </form>
  );
}

export function SignupPage(props: FormState) {
  return (
    <Base title="Create your account">
      <section class="card narrow">
        <h1>Create your account</h1>
        <p class="muted">A KES and an NGN wallet, ready in a minute.</p>
        <SignupForm {...props} />
        <p>
          Already have an account? <a href="/login">Log in</a>
        </p>
      </section>
    </Base>
  );
}

export function LoginPage(props: FormState & { next?: string }) {
  return (
    <Base title="Log in">
      <section class="card narrow">
        <h1>Log in</h1>
        <LoginForm {...props} />
        <p>
          New to Malipo? <a href="/signup">Create an account</a>
        </p>
      </section>
    </Base>
  );
}
