/** Plain-text and HTML bodies of the mails Gatehouse sends. */
import type { MailMessage } from '../providers/mail.ts';
import { escapeHtml } from '../security/html-escape.ts';

function message(to: string, subject: string, intro: string, action: string, link: string, minutes: number): MailMessage {
  const text = `${intro}\n\n${action}:\n${link}\n\nThe link works once and expires in ${minutes} minutes. If you did not ask for it, ignore this mail.\n`;
  const html = `<!doctype html><html><body style="font-family:sans-serif">
<p>${escapeHtml(intro)}</p>
<p><a href="${escapeHtml(link)}">${escapeHtml(action)}</a></p>
<p style="color:#555">The link works once and expires in ${minutes} minutes. If you did not ask for it, ignore this mail.</p>
</body></html>`;
  return { to, subject, text, html };
}

export function signInMail(to: string, link: string, minutes: number): MailMessage {
  return message(to, 'Your sign-in link', 'Someone (hopefully you) asked to sign in with this email address.', 'Sign in', link, minutes);
}

export function verifyEmailMail(to: string, link: string, minutes: number): MailMessage {
  return message(
    to,
    'Confirm your email address',
    'Someone registered an account with this email address and a password. If it was you, confirm the address (you will be asked to sign in). If it was not you, ignore this mail: nobody can confirm the account without it.',
    'Confirm email address',
    link,
    minutes,
  );
}

export function resetPasswordMail(to: string, link: string, minutes: number): MailMessage {
  return message(to, 'Reset your password', 'Someone (hopefully you) asked to reset the password of this account.', 'Choose a new password', link, minutes);
}
