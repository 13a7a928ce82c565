/**
 * The accept page an invitation mail links to (/ui/invitations/accept?token=…). Opening it only
 * previews the invitation (GET never uses the link up: mail scanners open links); the button
 * accepts it, creating the account when it is new, and signs the visitor in.
 */
import { api, ApiError } from '../api.ts';
import { config, uiHref } from '../config.ts';
import { forgetQuery, h, link, notice, queryParam, renderCard } from '../dom.ts';
import { buildForm } from '../forms.ts';
import { goAfterSignIn } from '../session.ts';
import { t } from '../i18n.ts';

interface Preview {
  readonly email: string;
  readonly kind: 'club' | 'organizer';
  readonly organizer_name: string | null;
  readonly role: string | null;
  readonly role_names: readonly string[];
  readonly invited_by_name: string | null;
  readonly expires_at: string;
}

function deadLink(): void {
  renderCard(t('invitation.title'), notice(t('invitation.invalid'), 'error'), h('p', {}, link(uiHref('/sign-in'), t('common.backToSignIn'))));
}

export async function invitationAcceptPage(): Promise<void> {
  const token = queryParam('token');
  forgetQuery();
  if (token === null || token === '') return deadLink();
  let preview: Preview;
  try {
    preview = await api<Preview>('GET', `/invitations/${encodeURIComponent(token)}`, undefined, { refresh: false });
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return deadLink();
    throw error;
  }
  const what = preview.kind === 'organizer' ? (preview.organizer_name ?? config.brand.name) : config.brand.name;
  const inviter = preview.invited_by_name ?? config.brand.name;
  const expires = new Intl.DateTimeFormat(document.documentElement.lang || undefined, { dateStyle: 'long' }).format(new Date(preview.expires_at));
  const form = buildForm({
    label: t('invitation.title'),
    fields: [
      { name: 'name', label: t('invitation.name'), type: 'text', autocomplete: 'name' },
      { name: 'password', label: t('invitation.password'), type: 'password', autocomplete: 'new-password', hint: t('invitation.passwordHint') },
    ],
    submit: t('invitation.accept'),
    onSubmit: async (values) => {
      const body: Record<string, string> = { token };
      if ((values.name ?? '') !== '') body.name = values.name ?? '';
      if ((values.password ?? '') !== '') body.password = values.password ?? '';
      try {
        await api('POST', '/invitations/accept', body, { refresh: false });
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) throw new ApiError(401, error.code, t('invitation.invalid'), []);
        throw error;
      }
      goAfterSignIn();
    },
  });
  renderCard(
    t('invitation.title'),
    h('p', {}, t('invitation.intro', { inviter, what })),
    h('p', {}, t('invitation.for', { email: preview.email, date: expires })),
    form,
  );
}
