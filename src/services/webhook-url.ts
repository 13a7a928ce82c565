/**
 * Whether a URL may be a webhook endpoint (docs/webhooks.md): http(s) only, no credentials in
 * it, https in production, and every address its host resolves to allowed by the address rule
 * (security/webhook-address.ts) — private ones only with WEBHOOK_ALLOW_PRIVATE, which also
 * permits plain http to them. Delivery checks the addresses again at connection time.
 */
import type { WebhookConfig } from '../config-webhooks.ts';
import { fieldError, type AppError } from '../errors.ts';
import { allowedAddresses, ForbiddenAddressError, systemResolver, type Resolver } from '../providers/webhook-http.ts';
import { classifyAddress } from '../security/webhook-address.ts';

function refused(reason: string): AppError {
  return fieldError(['url'], reason, 'value_error.url');
}

/** The URL as it will be stored (normalized by the URL parser), or a 422 saying why not. */
export async function checkEndpointUrl(raw: string, config: WebhookConfig, resolve: Resolver = systemResolver): Promise<string> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw refused('is not a URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw refused('must be an https (or http) URL');
  if (url.username !== '' || url.password !== '') throw refused('must not carry credentials; authenticate by the signature');
  if (url.hash !== '') throw refused('must not have a #fragment');
  let addresses;
  try {
    addresses = await allowedAddresses(url.hostname, resolve, config.allowPrivate);
  } catch (error) {
    if (error instanceof ForbiddenAddressError) {
      throw refused(
        config.allowPrivate
          ? 'resolves to a forbidden address (link-local or cloud metadata)'
          : 'resolves to a private, loopback, link-local or metadata address',
      );
    }
    throw refused('its host does not resolve');
  }
  const allPrivate = addresses.every((a) => classifyAddress(a.address) === 'private');
  if (config.requireHttps && url.protocol !== 'https:' && !(config.allowPrivate && allPrivate)) throw refused('must be https in production');
  return url.toString();
}
