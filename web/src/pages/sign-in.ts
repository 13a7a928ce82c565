/** Signing in: by magic link (the default), by password, and the "check your mail" page. */
import { api } from '../api.ts';
import { config, uiHref } from '../config.ts';
import { h, link, notice, queryParam, renderCard } from '../dom.ts';
import { buildForm } from '../forms.ts';
import { currentUser, goAfterSignIn, rememberTarget, targetQuery } from '../session.ts';
import { t } from '../i18n.ts';

function otherWays(current: 'magic' | 'password'): HTMLElement {
  const query = targetQuery();
  return h(
    'ul',
    { class: 'other-ways' },
    current === 'magic'
      ? h('li', {}, link(uiHref(`/sign-in/password${query}`), t('signIn.withPasswordInstead')))
      : h('li', {}, link(uiHref(`/sign-in${query}`), t('signIn.withLinkInstead'))),
    config.signupMode === 'closed' ? null : h('li', {}, link(uiHref(`/register${query}`), t('signIn.createAccount'))),
    h('li', {}, link(uiHref('/forgot-password'), t('signIn.forgot'))),
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
    label: t('signIn.byEmail'),
    fields: [{ name: 'email', label: t('common.emailAddress'), type: 'email', autocomplete: 'email', required: true }],
    submit: t('signIn.sendLink'),
    onSubmit: async (values) => {
      await api('POST', '/magic-links/send', { email: values.email }, { refresh: false });
      rememberTarget();
      location.assign(`${uiHref('/check-mail')}?${new URLSearchParams({ email: values.email ?? '' }).toString()}`);
    },
  });
  renderCard(t('signIn.title'), h('p', {}, t('signIn.intro')), form, otherWays('magic'));
}

/** Seconds before "Send the link again" works (the send limit allows a few per hour). */
const RESEND_AFTER_SECONDS = 60;

/** A button that waits out a countdown (announced politely), then sends the link again. */
function resendButton(email: string, status: HTMLElement): HTMLButtonElement {
  const resend = h('button', { type: 'button', class: 'btn btn-secondary', disabled: true }, t('checkMail.resendIn', { seconds: RESEND_AFTER_SECONDS }));
  let left = RESEND_AFTER_SECONDS;
  const timer = setInterval(() => {
    left -= 1;
    if (left > 0) {
      resend.textContent = t('checkMail.resendIn', { seconds: left });
      return;
    }
    clearInterval(timer);
    resend.textContent = t('checkMail.resend');
    resend.disabled = false;
  }, 1000);
  resend.addEventListener('click', () => {
    resend.disabled = true;
    api('POST', '/magic-links/send', { email }, { refresh: false })
      .then(() => status.replaceChildren(notice(t('checkMail.resent'), 'success')))
      .catch((error: unknown) => {
        resend.disabled = false;
        status.replaceChildren(notice(error instanceof Error ? error.message : String(error), 'error'));
      });
  });
  return resend;
}

export function checkMailPage(): void {
  const email = queryParam('email');
  const status = h('div', { 'aria-live': 'polite' });
  renderCard(
    t('checkMail.title'),
    h('p', {}, t('checkMail.body', { email: email ?? t('checkMail.yourAddress') })),
    h('p', {}, t('checkMail.sameBrowser')),
    config.development ? notice(t('checkMail.devNotice'), 'info') : null,
    config.development ? h('p', {}, link(uiHref('/dev/outbox'), t('checkMail.devOutbox'))) : null,
    email === null ? null : h('div', { class: 'actions' }, resendButton(email, status)),
    status,
    h('p', {}, link(uiHref('/sign-in'), t('checkMail.other'))),
  );
}

export async function passwordSignInPage(): Promise<void> {
  if (await skipWhenSignedIn()) return;
  const form = buildForm({
    label: t('signIn.passwordTitle'),
    fields: [
      { name: 'email', label: t('common.emailAddress'), type: 'email', autocomplete: 'username', required: true },
      { name: 'password', label: t('common.password'), type: 'password', autocomplete: 'current-password', required: true },
    ],
    submit: t('common.signIn'),
    onSubmit: async (values) => {
      await api('POST', '/login', { email: values.email, password: values.password }, { refresh: false });
      goAfterSignIn();
    },
  });
  renderCard(t('signIn.passwordTitle'), form, otherWays('password'));
}
