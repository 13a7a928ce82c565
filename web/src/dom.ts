/**
 * A few DOM helpers. Every text goes in as a text node (never innerHTML), so data from the API
 * cannot become markup; listeners are attached in code, never as inline attributes (CSP).
 */
import { config } from './config.ts';
import { formatDateTime, t } from './i18n.ts';

type Child = Node | string | number | null | undefined | false;
type AttrValue = string | number | boolean | null | undefined;
export type Attrs = Record<string, AttrValue | ((event: Event) => void)>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: (Child | readonly Child[])[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (typeof value === 'function') element.addEventListener(name.replace(/^on/, '').toLowerCase(), value);
    else if (value === true) element.setAttribute(name, '');
    else if (value !== false && value !== null && value !== undefined) element.setAttribute(name, String(value));
  }
  append(element, children);
  return element;
}

function append(parent: Node, children: readonly (Child | readonly Child[])[]): void {
  for (const child of children) {
    if (Array.isArray(child)) append(parent, child);
    else if (child instanceof Node) parent.appendChild(child);
    else if (child !== null && child !== undefined && child !== false) parent.appendChild(document.createTextNode(String(child)));
  }
}

function mainElement(): HTMLElement {
  const main = document.getElementById('app');
  if (main === null) throw new Error('The page shell has no #app element');
  return main;
}

/** Replaces the page: a heading, then the content. Focus moves to the heading for screen readers. */
export function render(title: string, ...content: (Child | readonly Child[])[]): void {
  document.title = `${title} · ${config.brand.name}`;
  const heading = h('h1', { tabindex: '-1' }, title);
  mainElement().replaceChildren(
    heading,
    ...content
      .flat()
      .filter((child): child is Node | string | number => child !== null && child !== undefined && child !== false)
      .map((child) => (child instanceof Node ? child : document.createTextNode(String(child)))),
  );
  heading.focus();
}

/**
 * A sign-in page: one centered card with the club's logo and name, the page's heading and its
 * content, and the support address when there is one.
 */
export function renderCard(title: string, ...content: (Child | readonly Child[])[]): void {
  document.title = `${title} · ${config.brand.name}`;
  const heading = h('h1', { tabindex: '-1' }, title);
  const logo = config.brand.logoUrl === null ? null : h('img', { class: 'card-logo', src: config.brand.logoUrl, alt: '', width: 48, height: 48 });
  const parts = content
    .flat()
    .filter((child): child is Node | string | number => child !== null && child !== undefined && child !== false)
    .map((child) => (child instanceof Node ? child : document.createTextNode(String(child))));
  const support =
    config.brand.supportEmail === null ? null : h('p', { class: 'hint card-support' }, t('common.needHelp', { email: config.brand.supportEmail }));
  mainElement().replaceChildren(
    h(
      'div',
      { class: 'card' },
      h('div', { class: 'card-brand' }, logo, h('span', { class: 'card-name' }, config.brand.name)),
      heading,
      ...parts,
      support ?? '',
    ),
  );
  heading.focus();
}

/** A short status line that screen readers announce. */
export function notice(text: string, kind: 'info' | 'error' | 'success' = 'info'): HTMLElement {
  return h('p', { class: `notice notice-${kind}`, role: kind === 'error' ? 'alert' : 'status' }, text);
}

/**
 * A table. On a phone, a wide one (four columns or more) becomes one card per row, each cell
 * labelled by its column (app.css: table.stack), instead of scrolling sideways; narrower ones
 * scroll when they must.
 */
export function table(headers: readonly string[], rows: readonly (readonly (Child | readonly Child[])[])[], caption?: string): HTMLElement {
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: headers.length >= 4 ? 'stack' : null },
      caption === undefined ? null : h('caption', {}, caption),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          headers.map((text) => h('th', { scope: 'col' }, text)),
        ),
      ),
      h(
        'tbody',
        {},
        rows.map((cells) =>
          h(
            'tr',
            {},
            cells.map((cell, index) => h('td', { 'data-label': headers[index] ?? '' }, cell)),
          ),
        ),
      ),
    ),
  );
}

export function link(href: string, text: string): HTMLAnchorElement {
  return h('a', { href }, text);
}

export function button(
  text: string,
  onClick: () => void | Promise<void>,
  options: { kind?: 'primary' | 'secondary' | 'danger'; label?: string } = {},
): HTMLButtonElement {
  return h('button', { type: 'button', class: `btn btn-${options.kind ?? 'secondary'}`, 'aria-label': options.label, onclick: () => void onClick() }, text);
}

export function queryParam(name: string): string | null {
  return new URLSearchParams(location.search).get(name);
}

/** Removes secrets (mailed tokens) from the address bar and history once the page has read them. */
export function forgetQuery(): void {
  history.replaceState(null, '', location.pathname);
}

/** A time in the page's language (Intl). */
export function formatTime(iso: string | null): string {
  return formatDateTime(iso);
}
