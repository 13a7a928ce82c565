/** Creating an account with a password (SIGNUP_MODE decides who may). */
import { api } from '../api.ts';
import { config, uiHref } from '../config.ts';
import { h, link, notice, renderCard } from '../dom.ts';
import { buildForm } from '../forms.ts';
import { goAfterSignIn, targetQuery } from '../session.ts';
import { t } from '../i18n.ts';

export function registerPage(): void {
  if (config.signupMode === 'closed') {
    renderCard(t('register.title'), notice(t('register.closed')), h('p', {}, link(uiHref('/sign-in'), t('common.signIn'))));
    return;
  }
  const form = buildForm({
    label: t('register.title'),
    fields: [
      {
        name: 'email',
        label: t('common.emailAddress'),
        type: 'email',
        autocomplete: 'email',
        required: true,
        hint: config.signupMode === 'allowlist' ? t('register.inviteHint') : undefined,
      },
      { name: 'name', label: t('register.name'), autocomplete: 'name' },
      {
        name: 'password',
        label: t('common.password'),
        type: 'password',
        autocomplete: 'new-password',
        required: true,
        hint: t('register.passwordHint'),
      },
    ],
    submit: t('register.submit'),
    codeFields: { email_taken: 'email', email_not_eligible: 'email', signup_closed: 'email' },
    onSubmit: async (values) => {
      const body: Record<string, string> = { email: values.email ?? '', password: values.password ?? '' };
      if (values.name !== undefined && values.name.trim() !== '') body.name = values.name.trim();
      await api('POST', '/register', body, { refresh: false });
      goAfterSignIn();
    },
  });
  renderCard(t('register.title'), form, h('p', {}, `${t('register.already')} `, link(uiHref(`/sign-in${targetQuery()}`), t('common.signIn'))));
}
