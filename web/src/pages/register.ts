/** Creating an account with a password (SIGNUP_MODE decides who may). */
import { api } from '../api.ts';
import { config, uiHref } from '../config.ts';
import { h, link, notice, render } from '../dom.ts';
import { buildForm } from '../forms.ts';
import { goAfterSignIn, targetQuery } from '../session.ts';

export function registerPage(): void {
  if (config.signupMode === 'closed') {
    render(
      'Create an account',
      notice('New accounts are not being created. Ask an administrator for an invitation.'),
      h('p', {}, link(uiHref('/sign-in'), 'Sign in')),
    );
    return;
  }
  const form = buildForm({
    label: 'Create an account',
    fields: [
      {
        name: 'email',
        label: 'Email address',
        type: 'email',
        autocomplete: 'email',
        required: true,
        hint: config.signupMode === 'allowlist' ? 'Membership is by invitation: use the address you were invited with.' : undefined,
      },
      { name: 'name', label: 'Name (optional)', autocomplete: 'name' },
      {
        name: 'password',
        label: 'Password',
        type: 'password',
        autocomplete: 'new-password',
        required: true,
        hint: 'At least 12 characters. A few unrelated words make a good one.',
      },
    ],
    submit: 'Create account',
    codeFields: { email_taken: 'email', email_not_eligible: 'email', signup_closed: 'email' },
    onSubmit: async (values) => {
      const body: Record<string, string> = { email: values.email ?? '', password: values.password ?? '' };
      if (values.name !== undefined && values.name.trim() !== '') body.name = values.name.trim();
      await api('POST', '/register', body, { refresh: false });
      goAfterSignIn();
    },
  });
  render('Create an account', form, h('p', {}, 'Already a member? ', link(uiHref(`/sign-in${targetQuery()}`), 'Sign in')));
}
