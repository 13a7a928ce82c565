/**
 * Confirming a destructive action in a modal <dialog> (showModal: focus moves into it and stays
 * there, Escape cancels, the page behind is inert), labelled by its title and described by its
 * message. Acting on yourself asks twice: the second dialog says what you will lose.
 */
import { h } from './dom.ts';
import { t } from './i18n.ts';

export interface ConfirmSpec {
  readonly title: string;
  readonly message: string;
  /** The confirming button's text, e.g. "Revoke admin". */
  readonly confirm: string;
}

let dialogCount = 0;

/** Resolves true when the user confirms, false when they cancel (button, Escape). */
export function confirmAction(spec: ConfirmSpec): Promise<boolean> {
  dialogCount += 1;
  const titleId = `confirm-title-${dialogCount}`;
  const messageId = `confirm-message-${dialogCount}`;
  const cancel = h('button', { type: 'button', class: 'btn btn-secondary' }, t('confirm.cancel'));
  const confirm = h('button', { type: 'button', class: 'btn btn-danger' }, spec.confirm);
  const dialog = h(
    'dialog',
    { class: 'confirm', 'aria-labelledby': titleId, 'aria-describedby': messageId },
    h('h2', { id: titleId }, spec.title),
    h('p', { id: messageId }, spec.message),
    h('div', { class: 'actions' }, cancel, confirm),
  );
  document.body.append(dialog);
  return new Promise((resolve) => {
    const close = (answer: boolean): void => {
      dialog.close();
      dialog.remove();
      resolve(answer);
    };
    cancel.addEventListener('click', () => close(false));
    confirm.addEventListener('click', () => close(true));
    dialog.addEventListener('cancel', (event) => {
      event.preventDefault();
      close(false);
    });
    dialog.showModal();
    // The safe choice has the focus: Enter right away does not destroy anything.
    cancel.focus();
  });
}

/** confirmAction, and when `self` a second confirmation that names the consequence to you. */
export async function confirmDestructive(spec: ConfirmSpec, self: { readonly warning: string } | null): Promise<boolean> {
  if (!(await confirmAction(spec))) return false;
  if (self === null) return true;
  return confirmAction({ title: t('confirm.selfTitle'), message: self.warning, confirm: t('confirm.selfConfirm', { action: spec.confirm.toLowerCase() }) });
}
