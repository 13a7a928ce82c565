import type { Locale } from '../../locales/catalog.ts';

/** The settings the server puts into the page shell (src/http/routes/ui.ts writes them). */
export interface UiConfig {
  readonly uiPath: string;
  readonly apiPrefix: string;
  readonly signupMode: 'allowlist' | 'open' | 'closed';
  readonly allowedRedirectUrls: readonly string[];
  readonly development: boolean;
  readonly locale: Locale;
  readonly brand: { readonly name: string; readonly logoUrl: string | null; readonly supportEmail: string | null };
}

function readConfig(): UiConfig {
  const block = document.getElementById('gatehouse-config');
  if (block === null || block.textContent === null) throw new Error('The page shell has no #gatehouse-config block');
  return JSON.parse(block.textContent) as UiConfig;
}

export const config: UiConfig = readConfig();

/** A page of the hosted UI, e.g. uiHref('/account'). */
export function uiHref(path: string): string {
  return `${config.uiPath}${path}`;
}
