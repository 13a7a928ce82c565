/**
 * The one error the package throws. Its `status` and `code` are Gatehouse's own (the same
 * catalog as the service's answers), and the adapters answer `{detail, code}` with them.
 */
export type GatehouseErrorCode = 'not_authenticated' | 'invalid_token' | 'missing_role' | 'service_unavailable';

const STATUS: Readonly<Record<GatehouseErrorCode, 401 | 403 | 503>> = {
  not_authenticated: 401,
  invalid_token: 401,
  missing_role: 403,
  service_unavailable: 503,
};

export class GatehouseAuthError extends Error {
  readonly status: 401 | 403 | 503;
  readonly code: GatehouseErrorCode;

  constructor(code: GatehouseErrorCode, detail: string) {
    super(detail);
    this.name = 'GatehouseAuthError';
    this.code = code;
    this.status = STATUS[code];
  }

  /** The answer body, as Gatehouse itself answers. */
  body(): { detail: string; code: GatehouseErrorCode } {
    return { detail: this.message, code: this.code };
  }
}
