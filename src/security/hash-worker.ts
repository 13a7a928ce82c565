/**
 * One argon2id worker thread (security/hash-pool.ts runs these under piscina). At start it lowers
 * its own scheduling priority (Linux: a thread's nice value is its own), so the event loop wins
 * the core whenever it has work: a burst of sign-ins uses the idle CPU without starving every
 * other request, and the hashes take the rest of the machine. Measured on 2 cores, 50 verifies in
 * flight against a main thread that is busy half the time: 2 niced workers verified 165–172/s
 * with the main thread's work done in full; 2 libuv threads 153–158/s with 28 % of the main
 * thread's work lost; 1 libuv thread 109–116/s.
 */
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { hashSync, verifySync, type Options } from '@node-rs/argon2';

/** Below the event loop's 0; 10, not 19, so hashes keep a fair share against other processes. */
const HASH_THREAD_NICE = 10;

function lowerOwnPriority(): void {
  try {
    // /proc/thread-self is this thread's /proc/<pid>/task/<tid>; setpriority on a tid affects only it.
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(tid) && tid > 0) setPriority(tid, HASH_THREAD_NICE);
  } catch {
    // Not Linux (or no /proc): the thread keeps the normal priority, which is only less polite.
  }
}
lowerOwnPriority();

export type HashTask =
  { readonly op: 'hash'; readonly password: string; readonly options: Options } | { readonly op: 'verify'; readonly hash: string; readonly password: string };

/** What a task answers, with how long the hashing took by this thread's clock. */
export interface HashResult {
  readonly value: string | boolean;
  readonly computeMs: number;
}

function compute(task: HashTask): string | boolean {
  if (task.op === 'hash') return hashSync(task.password, task.options);
  try {
    return verifySync(task.hash, task.password);
  } catch {
    return false; // a malformed hash verifies false, never throws
  }
}

/** piscina calls the default export with each task. */
export default function run(task: HashTask): HashResult {
  const started = performance.now();
  const value = compute(task);
  return { value, computeMs: performance.now() - started };
}
