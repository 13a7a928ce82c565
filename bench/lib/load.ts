/** HTTP load with autocannon (this bench process is the third process: the load generator). */
import autocannon, { type Request } from 'autocannon';
import { startCpuMeter, type CpuSplit } from './cpu.ts';

export interface LoadResult {
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly requests: number;
  readonly non2xx: number;
  readonly errors: number;
  /** CPU per request by where it went, when the served process's pid was given. */
  readonly cpu?: CpuSplit;
}

export interface LoadOptions {
  readonly url: string;
  readonly method?: 'GET' | 'POST';
  readonly headers?: Record<string, string>;
  readonly connections?: number;
  readonly seconds: number;
  /** Stop after this many requests (when each needs a fresh token). */
  readonly amount?: number;
  /** The served process: its CPU (and PostgreSQL's, and ours) is measured per request. */
  readonly pid?: number;
  /** Called per request: returns the body and extra headers of that request. */
  readonly perRequest?: () => { body?: string; headers?: Record<string, string> };
}

export async function load(options: LoadOptions): Promise<LoadResult> {
  const requests: Request[] | undefined =
    options.perRequest === undefined
      ? undefined
      : [
          {
            setupRequest: (request: Request): Request => {
              const extra = options.perRequest?.() ?? {};
              return { ...request, ...(extra.body === undefined ? {} : { body: extra.body }), headers: { ...request.headers, ...extra.headers } };
            },
          },
        ];
  const meter = options.pid === undefined ? null : startCpuMeter(options.pid);
  const result = await autocannon({
    url: options.url,
    method: options.method ?? 'GET',
    headers: options.headers ?? {},
    connections: options.connections ?? 50,
    ...(options.amount === undefined ? { duration: options.seconds } : { amount: options.amount }),
    ...(requests === undefined ? {} : { requests }),
  });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    ...(meter === null ? {} : { cpu: meter.stop(result.requests.total) }),
  };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

function medianCpu(results: readonly LoadResult[]): CpuSplit | undefined {
  const splits = results.flatMap((r) => (r.cpu === undefined ? [] : [r.cpu]));
  if (splits.length === 0) return undefined;
  return {
    main: median(splits.map((c) => c.main)),
    otherThreads: median(splits.map((c) => c.otherThreads)),
    postgres: median(splits.map((c) => c.postgres)),
    load: median(splits.map((c) => c.load)),
  };
}

export function medianResult(results: readonly LoadResult[]): LoadResult {
  const cpu = medianCpu(results);
  return {
    ...(cpu === undefined ? {} : { cpu }),
    rps: median(results.map((r) => r.rps)),
    p50: median(results.map((r) => r.p50)),
    p99: median(results.map((r) => r.p99)),
    requests: results.reduce((sum, r) => sum + r.requests, 0),
    non2xx: results.reduce((sum, r) => sum + r.non2xx, 0),
    errors: results.reduce((sum, r) => sum + r.errors, 0),
  };
}
