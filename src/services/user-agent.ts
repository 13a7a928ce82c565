/**
 * A session's client in words ("Chrome on Linux", "Safari on iOS", "curl") from its User-Agent,
 * with bowser (a maintained parser) rather than our own patterns. The raw header stays in the
 * API beside it.
 */
import Bowser from 'bowser';

/** A tool's own product token ("curl/8.1.2" → "curl") when no browser is recognised. */
const PRODUCT = /^([A-Za-z][A-Za-z0-9._-]{0,40})\//;

export function describeUserAgent(userAgent: string | null): string | null {
  if (userAgent === null || userAgent.trim() === '') return null;
  const parsed = Bowser.parse(userAgent);
  const browser = parsed.browser.name ?? '';
  const os = parsed.os.name ?? '';
  if (browser !== '' && os !== '') return `${browser} on ${os}`;
  if (browser !== '' || os !== '') return browser || os;
  return PRODUCT.exec(userAgent)?.[1] ?? 'Unknown client';
}
