/** Keyset pagination over the API's {items, next_cursor} lists, with Previous and Next. */
import { button, h, notice } from './dom.ts';
import { buildForm, type FieldSpec, type FormValues } from './forms.ts';
import { t } from './i18n.ts';

export interface Page<T> {
  readonly items: readonly T[];
  readonly next_cursor: string | null;
}

export interface Pager {
  readonly element: HTMLElement;
  /** Back to the first page (after a filter or a write changed the list). */
  reload(): Promise<void>;
}

export function pager<T>(load: (cursor: string | null) => Promise<Page<T>>, draw: (items: readonly T[]) => Node, what: string): Pager {
  const body = h('div', { 'aria-live': 'polite' });
  const element = h('div', { class: 'pager' }, body);
  // cursors[i] fetched page i; page 0 has none.
  let cursors: (string | null)[] = [null];
  let index = 0;

  async function show(): Promise<void> {
    const page = await load(cursors[index] ?? null);
    if (page.next_cursor !== null) cursors[index + 1] = page.next_cursor;
    const previous = button(t('pager.previous'), () => move(-1));
    const next = button(t('pager.next'), () => move(1));
    previous.disabled = index === 0;
    next.disabled = page.next_cursor === null;
    body.replaceChildren(
      page.items.length === 0 ? notice(what) : draw(page.items),
      h('div', { class: 'actions pager-nav' }, previous, h('span', {}, t('pager.page', { page: index + 1 })), next),
    );
  }

  async function move(step: number): Promise<void> {
    index = Math.max(0, index + step);
    await show();
  }

  return {
    element,
    async reload(): Promise<void> {
      cursors = [null];
      index = 0;
      await show();
    },
  };
}

/** Query string from the non-empty values. */
export function queryString(values: Record<string, string | number | null | undefined>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(values)) if (value !== null && value !== undefined && value !== '') params.set(name, String(value));
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

export interface FilteredListSpec<T> {
  readonly label: string;
  readonly fields: readonly FieldSpec[];
  readonly submit: string;
  readonly load: (filter: FormValues, cursor: string | null) => Promise<Page<T>>;
  readonly draw: (items: readonly T[]) => Node;
  /** What to say when there is nothing to list, e.g. "No users found.". */
  readonly what: string;
}

/** A filter form over a paginated list: submitting it reloads the list from its first page. */
export function filteredList<T>(spec: FilteredListSpec<T>): { readonly search: HTMLFormElement; readonly results: Pager } {
  let filter: FormValues = {};
  const results = pager<T>((cursor) => spec.load(filter, cursor), spec.draw, spec.what);
  const search = buildForm({
    label: spec.label,
    inline: true,
    fields: spec.fields,
    submit: spec.submit,
    onSubmit: async (values) => {
      filter = values;
      await results.reload();
    },
  });
  return { search, results };
}
