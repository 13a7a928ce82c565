/**
 * The threads argon2id runs on: a piscina pool of hash-worker.ts threads, each at a lower
 * scheduling priority than the event loop (hash-worker.ts says why and what it measured). Threads
 * start on the first hash and stop after a minute idle, so a service that signs nobody in holds
 * none. The pool does no admission of its own: hash-gate.ts decides what may wait for it.
 */
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import type { Options } from '@node-rs/argon2';
import type { HashResult, HashTask } from './hash-worker.ts';

declare const __GATEHOUSE_BUILT__: boolean | undefined;
const BUILT = typeof __GATEHOUSE_BUILT__ !== 'undefined' && __GATEHOUSE_BUILT__;

/** scripts/build.ts bundles the worker beside dist/main.js; tests and `npm run dev` run the source through tsx. */
const WORKER = new URL(BUILT ? './hash-worker.js' : './hash-worker.ts', import.meta.url).href;

const IDLE_MS = 60_000;

/** An answer, and how long the hashing itself took (the hash gate's estimate learns from it). */
export interface Timed<T> {
  readonly value: T;
  readonly computeMs: number;
}

export interface HashPool {
  hash(password: string, options: Options): Promise<Timed<string>>;
  verify(hash: string, password: string): Promise<Timed<boolean>>;
  close(): Promise<void>;
}

export function createHashPool(threads: number = availableParallelism()): HashPool {
  const pool = new Piscina<HashTask, HashResult>({ filename: WORKER, minThreads: 0, maxThreads: threads, idleTimeout: IDLE_MS });
  return {
    async hash(password, options) {
      const { value, computeMs } = await pool.run({ op: 'hash', password, options });
      return { value: String(value), computeMs };
    },
    async verify(hash, password) {
      const { value, computeMs } = await pool.run({ op: 'verify', hash, password });
      return { value: value === true, computeMs };
    },
    close: () => pool.destroy(),
  };
}
