/**
 * The pages mailed links open: magic-link sign-in, email verification and password reset.
 * Opening a page never uses the token (mail scanners open links); only the button does. The
 * token leaves the address bar at once, so it is not kept in history.
 */
import { api, ApiError } from '../api.ts';
import { uiHref } from '../config.ts';
import { button, forgetQuery, h, link, notice, queryParam, renderCard } from '../dom.ts';
import { buildForm, fieldError } from '../forms.ts';
import { goAfterSignIn } from '../session.ts';
import { t } from '../i18n.ts';

function missingToken(title: string): void {
  renderCard(title, notice(t('links.incomplete'), 'error'), h('p', {}, link(uiHref('/sign-in'), t('common.backToSignIn'))));
}

function linkFailure(error: unknown): string {
  if (!(error instanceof ApiError)) return t('common.unreachable');
  if (error.status === 401) return t('links.invalid');
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
  renderCard(title, intro === null ? null : h('p', {}, intro), proceed, status);
}

export function magicLinkLandingPage(): void {
  tokenButtonPage(
    t('links.continueTitle'),
    t('links.continueIntro'),
    t('links.continue'),
    async (token) => {
      await api('POST', '/authenticate', { token }, { refresh: false });
      goAfterSignIn();
      return [];
    },
    [h('p', {}, link(uiHref('/sign-in'), t('links.newLink')))],
  );
}

/**
 * A self-registered account is confirmed only by its signed-in registrant (docs/auth.md): the
 * link proves the mailbox, the session the password. Signed out, the page sends the visitor to
 * sign in and back here; the link is still unused.
 */
export function verifyEmailPage(): void {
  tokenButtonPage(t('links.verifyTitle'), null, t('links.verify'), async (token) => {
    try {
      const user = await api<{ email: string }>('POST', '/verify-email', { token });
      return [notice(t('links.verified', { email: user.email }), 'success'), h('p', {}, link(uiHref('/account'), t('links.goToAccount')))];
    } catch (error) {
      if (!(error instanceof ApiError) || error.code !== 'sign_in_required') throw error;
      const back = `${location.pathname}?${new URLSearchParams({ token }).toString()}`;
      return [
        notice(t('links.signInToConfirm'), 'info'),
        h('p', {}, link(`${uiHref('/sign-in')}?${new URLSearchParams({ next: back }).toString()}`, t('links.signInToConfirmLink'))),
      ];
    }
  });
}

export function forgotPasswordPage(): void {
  const status = h('div', { 'aria-live': 'polite' });
  const form = buildForm({
    label: t('links.forgotTitle'),
    fields: [{ name: 'email', label: t('common.emailAddress'), type: 'email', autocomplete: 'email', required: true }],
    submit: t('links.forgotSubmit'),
    onSubmit: async (values) => {
      await api('POST', '/password/forgot', { email: values.email }, { refresh: false });
      status.replaceChildren(notice(t('links.forgotSent', { email: values.email ?? '' }), 'success'));
    },
  });
  renderCard(t('links.forgotTitle'), form, status, h('p', {}, link(uiHref('/sign-in'), t('common.backToSignIn'))));
}

export function resetPasswordPage(): void {
  const token = queryParam('token');
  forgetQuery();
  if (token === null || token === '') return missingToken(t('links.resetTitle'));
  const status = h('div', { 'aria-live': 'polite' });
  const form = buildForm({
    label: t('links.resetTitle'),
    fields: [
      { name: 'password', label: t('links.newPassword'), type: 'password', autocomplete: 'new-password', required: true, hint: t('links.newPasswordHint') },
      { name: 'repeat', label: t('links.newPasswordAgain'), type: 'password', autocomplete: 'new-password', required: true },
    ],
    submit: t('links.resetSubmit'),
    onSubmit: async (values, element) => {
      if (values.password !== values.repeat) {
        fieldError(element, 'repeat', t('links.passwordsDiffer'));
        return;
      }
      try {
        await api('POST', '/password/reset', { token, password: values.password }, { refresh: false });
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) throw new ApiError(401, error.code, linkFailure(error), []);
        throw error;
      }
      element.replaceWith(notice(t('links.resetDone'), 'success'));
      status.replaceChildren(h('p', {}, link(uiHref('/sign-in/password'), t('links.signInWithNew'))));
    },
  });
  renderCard(t('links.resetTitle'), form, status);
}
