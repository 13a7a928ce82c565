/**
 * Plain-text and HTML bodies of the mails Gatehouse sends, in the language of the request that
 * caused them and under the club's name (BRAND_NAME, SUPPORT_EMAIL): the texts are the message
 * catalogs' (locales/), so a mail and the page that asked for it speak the same language.
 */
import { translator, type Locale, type MessageKey } from '../../locales/catalog.ts';
import type { BrandConfig } from '../config-brand.ts';
import type { MailMessage } from '../providers/mail.ts';
import { escapeHtml } from '../security/html-escape.ts';

/** Who the mail is from and in which language. */
export interface MailLook {
  readonly locale: Locale;
  readonly brand: Pick<BrandConfig, 'name' | 'supportEmail' | 'color'>;
}

interface MailKind {
  readonly subject: MessageKey;
  readonly intro: MessageKey;
  readonly action: MessageKey;
}

const SIGN_IN: MailKind = { subject: 'mail.signIn.subject', intro: 'mail.signIn.intro', action: 'mail.signIn.action' };
const VERIFY: MailKind = { subject: 'mail.verify.subject', intro: 'mail.verify.intro', action: 'mail.verify.action' };
const RESET: MailKind = { subject: 'mail.reset.subject', intro: 'mail.reset.intro', action: 'mail.reset.action' };

function message(to: string, kind: MailKind, link: string, minutes: number, look: MailLook): MailMessage {
  const t = translator(look.locale, look.brand.name);
  const intro = t(kind.intro);
  const action = t(kind.action);
  const footer = t('mail.footer', { minutes });
  const support = look.brand.supportEmail === null ? null : t('mail.support', { email: look.brand.supportEmail });
  const text = `${intro}\n\n${action}:\n${link}\n\n${footer}\n${support === null ? '' : `\n${support}\n`}\n— ${look.brand.name}\n`;
  const html = `<!doctype html><html lang="${look.locale}"><body style="font-family:sans-serif">
<p style="font-weight:bold">${escapeHtml(look.brand.name)}</p>
<p>${escapeHtml(intro)}</p>
<p><a href="${escapeHtml(link)}" style="color:${escapeHtml(look.brand.color)}">${escapeHtml(action)}</a></p>
<p style="color:#555">${escapeHtml(footer)}</p>
${support === null ? '' : `<p style="color:#555">${escapeHtml(support)}</p>`}
</body></html>`;
  return { to, subject: t(kind.subject), text, html };
}

export function signInMail(to: string, link: string, minutes: number, look: MailLook): MailMessage {
  return message(to, SIGN_IN, link, minutes, look);
}

export function verifyEmailMail(to: string, link: string, minutes: number, look: MailLook): MailMessage {
  return message(to, VERIFY, link, minutes, look);
}

export function resetPasswordMail(to: string, link: string, minutes: number, look: MailLook): MailMessage {
  return message(to, RESET, link, minutes, look);
}

/** The reminder that a membership ends (MEMBERSHIP_EXPIRY_NOTICE_DAYS before): when, and where to look. */
export function membershipExpiringMail(to: string, role: string, expiresAt: Date, days: number, accountLink: string, look: MailLook): MailMessage {
  const t = translator(look.locale, look.brand.name);
  const date = new Intl.DateTimeFormat(look.locale, { dateStyle: 'long', timeZone: 'UTC' }).format(expiresAt);
  const intro = t('mail.expiring.intro', { role, date, days });
  const action = t('mail.expiring.action');
  const support = look.brand.supportEmail === null ? null : t('mail.support', { email: look.brand.supportEmail });
  const text = `${intro}\n\n${action}:\n${accountLink}\n${support === null ? '' : `\n${support}\n`}\n— ${look.brand.name}\n`;
  const html = `<!doctype html><html lang="${look.locale}"><body style="font-family:sans-serif">
<p style="font-weight:bold">${escapeHtml(look.brand.name)}</p>
<p>${escapeHtml(intro)}</p>
<p><a href="${escapeHtml(accountLink)}" style="color:${escapeHtml(look.brand.color)}">${escapeHtml(action)}</a></p>
${support === null ? '' : `<p style="color:#555">${escapeHtml(support)}</p>`}
</body></html>`;
  return { to, subject: t('mail.expiring.subject', { role, date }), text, html };
}

/** An invitation: who invites, to what, until when, with the inviter's own words if any. */
export function invitationMail(
  to: string,
  invite: { inviter: string; to: string; expiresAt: Date; message: string | null },
  link: string,
  look: MailLook,
): MailMessage {
  const t = translator(look.locale, look.brand.name);
  const date = new Intl.DateTimeFormat(look.locale, { dateStyle: 'long', timeZone: 'UTC' }).format(invite.expiresAt);
  const intro = t('mail.invitation.intro', { inviter: invite.inviter, what: invite.to });
  const action = t('mail.invitation.action');
  const footer = t('mail.invitation.footer', { date });
  const note = invite.message === null ? '' : `\n"${invite.message}"\n`;
  const text = `${intro}\n${note}\n${action}:\n${link}\n\n${footer}\n\n— ${look.brand.name}\n`;
  const html = `<!doctype html><html lang="${look.locale}"><body style="font-family:sans-serif">
<p style="font-weight:bold">${escapeHtml(look.brand.name)}</p>
<p>${escapeHtml(intro)}</p>
${invite.message === null ? '' : `<blockquote>${escapeHtml(invite.message)}</blockquote>`}
<p><a href="${escapeHtml(link)}" style="color:${escapeHtml(look.brand.color)}">${escapeHtml(action)}</a></p>
<p style="color:#555">${escapeHtml(footer)}</p>
</body></html>`;
  return { to, subject: t('mail.invitation.subject', { what: invite.to }), text, html };
}
