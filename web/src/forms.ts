/**
 * Forms with labelled fields and errors shown next to the field they concern: a 422's issues by
 * their `loc`, other error codes through the form's own code → field map, the rest above the
 * submit button. The first field in error gets focus, so keyboard users land on it.
 */
import { ApiError } from './api.ts';
import { h } from './dom.ts';
import { t } from './i18n.ts';

export interface FieldSpec {
  readonly name: string;
  readonly label: string;
  readonly type?: 'text' | 'email' | 'password' | 'search' | 'file' | 'select' | 'textarea' | 'date';
  readonly autocomplete?: string;
  readonly required?: boolean;
  readonly value?: string;
  readonly hint?: string;
  readonly options?: readonly { readonly value: string; readonly label: string }[];
  readonly accept?: string;
}

export type FormValues = Record<string, string>;

export interface FormSpec {
  readonly fields: readonly FieldSpec[];
  readonly submit: string;
  readonly onSubmit: (values: FormValues, form: HTMLFormElement) => Promise<void>;
  /** Error codes that concern one field, e.g. { email_taken: 'email' }. */
  readonly codeFields?: Readonly<Record<string, string>>;
  readonly label?: string;
  readonly inline?: boolean;
}

let formCount = 0;

function control(spec: FieldSpec, id: string, describedBy: string): HTMLElement {
  const common = { id, name: spec.name, required: spec.required === true, 'aria-describedby': describedBy };
  if (spec.type === 'select') {
    return h(
      'select',
      common,
      (spec.options ?? []).map((option) => h('option', { value: option.value, selected: option.value === spec.value }, option.label)),
    );
  }
  if (spec.type === 'textarea') return h('textarea', { ...common, rows: 4 }, spec.value ?? '');
  const input = h('input', { ...common, type: spec.type ?? 'text', autocomplete: spec.autocomplete, value: spec.value, accept: spec.accept });
  return spec.type === 'password' ? withRevealToggle(input) : input;
}

/** A password input with a "Show password" toggle (aria-pressed says which way it is). */
function withRevealToggle(input: HTMLInputElement): HTMLElement {
  const toggle = h('button', { type: 'button', class: 'btn btn-link reveal', 'aria-pressed': 'false', 'aria-controls': input.id }, t('common.showPassword'));
  toggle.addEventListener('click', () => {
    const shown = input.type === 'password';
    input.type = shown ? 'text' : 'password';
    toggle.setAttribute('aria-pressed', String(shown));
    toggle.textContent = t(shown ? 'common.hidePassword' : 'common.showPassword');
  });
  return h('div', { class: 'password-field' }, input, toggle);
}

function field(spec: FieldSpec, formId: string): HTMLElement {
  const id = `${formId}-${spec.name}`;
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  return h(
    'div',
    { class: 'field', 'data-field': spec.name },
    h('label', { for: id }, spec.label),
    control(spec, id, spec.hint === undefined ? errorId : `${hintId} ${errorId}`),
    spec.hint === undefined ? null : h('p', { class: 'hint', id: hintId }, spec.hint),
    h('p', { class: 'field-error', id: errorId, 'aria-live': 'polite' }),
  );
}

export function formValues(form: HTMLFormElement): FormValues {
  const values: FormValues = {};
  new FormData(form).forEach((value, name) => {
    if (typeof value === 'string') values[name] = value;
  });
  return values;
}

export function clearErrors(form: HTMLFormElement): void {
  for (const element of form.querySelectorAll('.field-error, .form-error')) element.textContent = '';
  for (const element of form.querySelectorAll('[aria-invalid]')) element.removeAttribute('aria-invalid');
}

/** Puts `message` under the field `name`; false when the form has no such field. */
export function fieldError(form: HTMLFormElement, name: string, message: string): boolean {
  const wrapper = form.querySelector<HTMLElement>(`[data-field="${CSS.escape(name)}"]`);
  const input = wrapper?.querySelector<HTMLElement>('input, select, textarea');
  const slot = wrapper?.querySelector('.field-error');
  if (input === null || input === undefined || slot === null || slot === undefined) return false;
  slot.textContent = slot.textContent === '' ? message : `${slot.textContent} ${message}`;
  input.setAttribute('aria-invalid', 'true');
  return true;
}

export function formError(form: HTMLFormElement, message: string): void {
  const slot = form.querySelector('.form-error');
  if (slot !== null) slot.textContent = message;
}

export function showError(form: HTMLFormElement, error: unknown, codeFields: Readonly<Record<string, string>> = {}): void {
  if (!(error instanceof ApiError)) {
    formError(form, t('common.unreachable'));
    return;
  }
  let placed = false;
  for (const issue of error.issues) {
    const name = [...issue.loc].reverse().find((part): part is string => typeof part === 'string' && part !== 'body');
    placed = (name !== undefined && fieldError(form, name, issue.msg)) || placed;
  }
  const codeField = codeFields[error.code];
  if (codeField !== undefined && fieldError(form, codeField, error.message)) placed = true;
  if (!placed) formError(form, error.issues.length > 0 ? error.issues.map((issue) => issue.msg).join(' ') : error.message);
  form.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
}

export function buildForm(spec: FormSpec): HTMLFormElement {
  formCount += 1;
  const formId = `form${formCount}`;
  const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, spec.submit);
  const form = h(
    'form',
    { class: spec.inline === true ? 'form form-inline' : 'form', 'aria-label': spec.label, novalidate: true },
    spec.fields.map((fieldSpec) => field(fieldSpec, formId)),
    h('p', { class: 'form-error', role: 'alert' }),
    h('div', { class: 'actions' }, submit),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    clearErrors(form);
    submit.disabled = true;
    spec
      .onSubmit(formValues(form), form)
      .catch((error: unknown) => showError(form, error, spec.codeFields))
      .finally(() => {
        submit.disabled = false;
      });
  });
  return form;
}
