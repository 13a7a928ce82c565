/**
 * Where a CLI command reads its environment and standard input and writes its output: the
 * process's own by default, or those a caller gives `runCli` (the tests run commands in-process,
 * one at a time, instead of paying for a process, PGlite boot and migration check each).
 */
import type { Env } from '../config.ts';

export interface CliIo {
  readonly env: Env;
  readStdin(): Promise<string>;
  out(text: string): void;
  err(text: string): void;
}

async function processStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8');
}

export const PROCESS_IO: CliIo = {
  env: process.env,
  readStdin: processStdin,
  out: (text) => console.log(text),
  err: (text) => console.error(text),
};

let current: CliIo = PROCESS_IO;

/** Runs `work` with `io` as the commands' io (runs must not overlap). */
export async function withIo<T>(io: CliIo, work: () => Promise<T>): Promise<T> {
  const previous = current;
  current = io;
  try {
    return await work();
  } finally {
    current = previous;
  }
}

export function cliEnv(): Env {
  return current.env;
}

export function out(text: string): void {
  current.out(text);
}

export function err(text: string): void {
  current.err(text);
}

/** All of stdin; one trailing newline (from echo or a terminal) is not part of the value. */
export async function readStdin(): Promise<string> {
  return (await current.readStdin()).replace(/\r?\n$/, '');
}
