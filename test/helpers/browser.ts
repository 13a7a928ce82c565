/**
 * The browser tests' world: the real app listening on 127.0.0.1 (PGlite, or PostgreSQL with
 * DATABASE_URL), mail over SMTP to a capture server, and Debian's Chromium driven by
 * playwright-core. Without /usr/bin/chromium the suite fails at once and says how to install it.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { buildApp, type App } from '../../src/app.ts';
import { createMemoryCounterStore } from '../../src/services/rate-limits.ts';
import { startSmtpCapture, type SmtpCapture } from '../fakes/smtp-capture.ts';
import { GENEROUS_LIMITS, testConfig } from './app.ts';
import { createTestDatabase, type TestDatabase } from './db.ts';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** The flags this machine needs: no sandbox as root, no GPU, no calls to Google's services. */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
];

export interface BrowserWorld {
  readonly app: App;
  readonly database: TestDatabase;
  readonly smtp: SmtpCapture;
  readonly browser: Browser;
  /** Exceptions thrown by page code in any page so far; each test checks it stays empty. */
  readonly pageErrors: string[];
  /** http://127.0.0.1:<port>, which is also PUBLIC_URL. */
  readonly origin: string;
  /** A fresh browser profile (own cookies and storage) with one page. */
  /** `locale`: the browser's language (its Accept-Language and navigator.language). */
  newPage(options?: { width?: number; height?: number; locale?: string }): Promise<{ context: BrowserContext; page: Page }>;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  assert.ok(typeof address === 'object' && address !== null);
  return address.port;
}

export async function startBrowserWorld(env: Record<string, string> = {}): Promise<BrowserWorld> {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: install Debian's Chromium (apt-get install -y chromium) or set CHROMIUM_PATH`);
  const smtp = await startSmtpCapture();
  const database = await createTestDatabase();
  // The pages' API calls are checked against /openapi.json too (src/http/contract-check.ts).
  const contractViolations: string[] = [];
  // PUBLIC_URL names the port, so it is chosen before the app is built; another listener can
  // take it in between (CI saw EADDRINUSE once): then a new port, and a new app.
  let app: App | null = null;
  let origin = '';
  for (let attempt = 1; app === null; attempt++) {
    const port = await freePort();
    origin = `http://127.0.0.1:${port}`;
    const config = testConfig({ LOG_LEVEL: 'silent', PORT: String(port), PUBLIC_URL: origin, SMTP_URL: smtp.url, ...env });
    const candidate = await buildApp({
      config,
      db: database.db,
      poolStats: () => database.poolStats(),
      limits: GENEROUS_LIMITS,
      counterStore: createMemoryCounterStore(),
      onContractViolation: (v) => contractViolations.push(v),
    });
    try {
      await candidate.listen({ port, host: '127.0.0.1' });
      app = candidate;
    } catch (error) {
      await candidate.close();
      if ((error as { code?: string }).code !== 'EADDRINUSE' || attempt >= 5) throw error;
    }
  }
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const pageErrors: string[] = [];
  return {
    pageErrors,
    app,
    database,
    smtp,
    browser,
    origin,
    async newPage(options = {}) {
      const context = await browser.newContext({
        baseURL: origin,
        viewport: { width: options.width ?? 1280, height: options.height ?? 900 },
        locale: options.locale ?? 'en-US',
      });
      const page = await context.newPage();
      page.on('pageerror', (error) => pageErrors.push(`${page.url()}: ${error.message}`));
      return { context, page };
    },
    async close(): Promise<void> {
      await browser.close();
      await app.close();
      await database.close();
      await smtp.close();
      assert.deepEqual([...new Set(contractViolations)], [], 'answers the OpenAPI document does not declare');
    },
  };
}

/** The first link in a mail's text. */
export function linkIn(text: string): string {
  const match = /https?:\/\/[^\s"<>]+/.exec(text);
  assert.ok(match, 'the mail has a link');
  return match[0];
}
