/** Signing in: by magic link (the default), by password, and the "check your mail" page. */
import { api } from '../api.ts';
import { config, uiHref } from '../config.ts';
import { h, link, notice, queryParam, render } from '../dom.ts';
import { buildForm } from '../forms.ts';
import { currentUser, goAfterSignIn, rememberTarget, targetQuery } from '../session.ts';

function otherWays(current: 'magic' | 'password'): HTMLElement {
  const query = targetQuery();
  return h(
    'ul',
    { class: 'other-ways' },
    current === 'magic'
      ? h('li', {}, link(uiHref(`/sign-in/password${query}`), 'Sign in with a password instead'))
      : h('li', {}, link(uiHref(`/sign-in${query}`), 'Email me a sign-in link instead')),
    config.signupMode === 'closed' ? null : h('li', {}, link(uiHref(`/register${query}`), 'Create an account')),
    h('li', {}, link(uiHref('/forgot-password'), 'Forgot your password?')),
  );
}

/** Already signed in: go straight on (a valid session is as good as a fresh sign-in). */
async function skipWhenSignedIn(): Promise<boolean> {
  if ((await currentUser()) === null) return false;
  goAfterSignIn();
  return true;
}

export async function magicLinkPage(): Promise<void> {
  if (await skipWhenSignedIn()) return;
  const form = buildForm({
    label: 'Sign in by email',
    fields: [{ name: 'email', label: 'Email address', type: 'email', autocomplete: 'email', required: true }],
    submit: 'Email me a sign-in link',
    onSubmit: async (values) => {
      await api('POST', '/magic-links/send', { email: values.email }, { refresh: false });
      rememberTarget();
      location.assign(`${uiHref('/check-mail')}?${new URLSearchParams({ email: values.email ?? '' }).toString()}`);
    },
  });
  render('Sign in', h('p', {}, 'Enter your email address and we will mail you a link that signs you in.'), form, otherWays('magic'));
}

export function checkMailPage(): void {
  const email = queryParam('email') ?? 'your address';
  render(
    'Check your mail',
    h('p', {}, `If ${email} may sign in, a sign-in link is on its way. It works once, for 10 minutes.`),
    h('p', {}, 'Open the link in this browser to come back signed in.'),
    config.development ? notice('Development mode: mail is not sent. Open the outbox to find the link.', 'info') : null,
    config.development ? h('p', {}, link(uiHref('/dev/outbox'), 'Open the development outbox')) : null,
    h('p', {}, link(uiHref('/sign-in'), 'Use another address')),
  );
}

export async function passwordSignInPage(): Promise<void> {
  if (await skipWhenSignedIn()) return;
  const form = buildForm({
    label: 'Sign in with a password',
    fields: [
      { name: 'email', label: 'Email address', type: 'email', autocomplete: 'username', required: true },
      { name: 'password', label: 'Password', type: 'password', autocomplete: 'current-password', required: true },
    ],
    submit: 'Sign in',
    onSubmit: async (values) => {
      await api('POST', '/login', { email: values.email, password: values.password }, { refresh: false });
      goAfterSignIn();
    },
  });
  render('Sign in with a password', form, otherWays('password'));
}
