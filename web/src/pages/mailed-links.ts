/**
 * The pages mailed links open: magic-link sign-in, email verification and password reset.
 * Opening a page never uses the token (mail scanners open links); only the button does. The
 * token leaves the address bar at once, so it is not kept in history.
 */
import { api, ApiError } from '../api.ts';
import { uiHref } from '../config.ts';
import { button, forgetQuery, h, link, notice, queryParam, render } from '../dom.ts';
import { buildForm, fieldError } from '../forms.ts';
import { goAfterSignIn } from '../session.ts';

function missingToken(title: string): void {
  render(title, notice('This link is incomplete. Ask for a new one.', 'error'), h('p', {}, link(uiHref('/sign-in'), 'Back to sign-in')));
}

function linkFailure(error: unknown): string {
  if (!(error instanceof ApiError)) return 'Gatehouse could not be reached. Check your connection and try again.';
  if (error.status === 401) return 'This link is invalid, already used or expired. Ask for a new one.';
  return error.message;
}

/**
 * A page with one button that redeems the link's token. `redeem` returns what to show on
 * success (or navigates away); a failure re-enables the button and says why.
 */
function tokenButtonPage(title: string, intro: string | null, label: string, redeem: (token: string) => Promise<Node[]>, onFailure: Node[] = []): void {
  const token = queryParam('token');
  forgetQuery();
  if (token === null || token === '') return missingToken(title);
  const status = h('div', { 'aria-live': 'polite' });
  const proceed = button(
    label,
    async () => {
      proceed.disabled = true;
      try {
        status.replaceChildren(...(await redeem(token)));
      } catch (error) {
        proceed.disabled = false;
        status.replaceChildren(notice(linkFailure(error), 'error'), ...onFailure);
      }
    },
    { kind: 'primary' },
  );
  render(title, intro === null ? null : h('p', {}, intro), proceed, status);
}

export function magicLinkLandingPage(): void {
  tokenButtonPage(
    'Continue signing in',
    'Press Continue to finish signing in.',
    'Continue',
    async (token) => {
      await api('POST', '/authenticate', { token }, { refresh: false });
      goAfterSignIn();
      return [];
    },
    [h('p', {}, link(uiHref('/sign-in'), 'Get a new sign-in link'))],
  );
}

/**
 * A self-registered account is confirmed only by its signed-in registrant (docs/auth.md): the
 * link proves the mailbox, the session the password. Signed out, the page sends the visitor to
 * sign in and back here; the link is still unused.
 */
export function verifyEmailPage(): void {
  tokenButtonPage('Verify your email address', null, 'Verify my email address', async (token) => {
    try {
      const user = await api<{ email: string }>('POST', '/verify-email', { token });
      return [notice(`${user.email} is verified. Thank you.`, 'success'), h('p', {}, link(uiHref('/account'), 'Go to my account'))];
    } catch (error) {
      if (!(error instanceof ApiError) || error.code !== 'sign_in_required') throw error;
      const back = `${location.pathname}?${new URLSearchParams({ token }).toString()}`;
      return [
        notice(
          'Sign in with the password you registered with: you come back here to confirm your address. If you did not register, ignore the mail: nobody can confirm the account without it.',
          'info',
        ),
        h('p', {}, link(`${uiHref('/sign-in')}?${new URLSearchParams({ next: back }).toString()}`, 'Sign in to confirm')),
      ];
    }
  });
}

export function forgotPasswordPage(): void {
  const status = h('div', { 'aria-live': 'polite' });
  const form = buildForm({
    label: 'Reset your password',
    fields: [{ name: 'email', label: 'Email address', type: 'email', autocomplete: 'email', required: true }],
    submit: 'Email me a reset link',
    onSubmit: async (values) => {
      await api('POST', '/password/forgot', { email: values.email }, { refresh: false });
      status.replaceChildren(notice(`If ${values.email ?? ''} has an account, a reset link is on its way.`, 'success'));
    },
  });
  render('Reset your password', form, status, h('p', {}, link(uiHref('/sign-in'), 'Back to sign-in')));
}

export function resetPasswordPage(): void {
  const token = queryParam('token');
  forgetQuery();
  if (token === null || token === '') return missingToken('Choose a new password');
  const status = h('div', { 'aria-live': 'polite' });
  const form = buildForm({
    label: 'Choose a new password',
    fields: [
      { name: 'password', label: 'New password', type: 'password', autocomplete: 'new-password', required: true, hint: 'At least 12 characters.' },
      { name: 'repeat', label: 'New password again', type: 'password', autocomplete: 'new-password', required: true },
    ],
    submit: 'Set new password',
    onSubmit: async (values, element) => {
      if (values.password !== values.repeat) {
        fieldError(element, 'repeat', 'The two passwords differ.');
        return;
      }
      try {
        await api('POST', '/password/reset', { token, password: values.password }, { refresh: false });
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) throw new ApiError(401, error.code, linkFailure(error), []);
        throw error;
      }
      element.replaceWith(notice('Your password is changed, and every session was signed out.', 'success'));
      status.replaceChildren(h('p', {}, link(uiHref('/sign-in/password'), 'Sign in with the new password')));
    },
  });
  render('Choose a new password', form, status);
}
