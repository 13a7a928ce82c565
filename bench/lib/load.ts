/** HTTP load with autocannon (this bench process is the third process: the load generator). */
import autocannon, { type Request } from 'autocannon';
import { startCpuMeter, type CpuSplit } from './cpu.ts';

export interface LoadResult {
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly requests: number;
  readonly non2xx: number;
  /** Answers by status code, when some were not 2xx (so a report can say which: 503 is shedding, 429 a limit). */
  readonly statuses?: Record<string, number>;
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

function statusCounts(stats: Partial<Record<string, { count?: number }>> | undefined): Record<string, number> {
  return Object.fromEntries(Object.entries(stats ?? {}).map(([code, stat]) => [code, stat?.count ?? 0]));
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
    ...(result.non2xx > 0 ? { statuses: statusCounts(result.statusCodeStats) } : {}),
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

function sumStatuses(results: readonly LoadResult[]): Record<string, number> | undefined {
  const sums: Record<string, number> = {};
  for (const [code, count] of results.flatMap((r) => Object.entries(r.statuses ?? {}))) sums[code] = (sums[code] ?? 0) + count;
  return Object.keys(sums).length === 0 ? undefined : sums;
}

export function medianResult(results: readonly LoadResult[]): LoadResult {
  const cpu = medianCpu(results);
  const statuses = sumStatuses(results);
  return {
    ...(statuses === undefined ? {} : { statuses }),
    ...(cpu === undefined ? {} : { cpu }),
    rps: median(results.map((r) => r.rps)),
    p50: median(results.map((r) => r.p50)),
    p99: median(results.map((r) => r.p99)),
    requests: results.reduce((sum, r) => sum + r.requests, 0),
    non2xx: results.reduce((sum, r) => sum + r.non2xx, 0),
    errors: results.reduce((sum, r) => sum + r.errors, 0),
  };
}
