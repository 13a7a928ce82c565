/**
 * Request loggers made on first use. Fastify gives every request a child logger carrying its
 * reqId; pino's child() runs the bindings through the redaction (logging.ts), which re-parses
 * every redact path for each child: ~3 KB of garbage per request (a heap profile of GET /me put
 * it at 6% of all allocation), even when the request logs nothing, as most do at LOG_LEVEL=warn.
 * This factory hands out a stand-in that makes the real child when a line at an enabled level
 * is written, so the lines, their reqId and their redaction are exactly as before.
 */
import type { FastifyBaseLogger, FastifyServerOptions } from 'fastify';
import { levels, type Bindings, type ChildLoggerOptions, type LevelWithSilentOrString } from 'pino';

/** pino's number for a level; 'silent' (not in pino's table) is above every level. */
function levelValue(level: string): number {
  return levels.values[level] ?? Infinity;
}

class LazyChildLogger implements FastifyBaseLogger {
  private real: FastifyBaseLogger | null = null;
  private readonly threshold: number;

  constructor(
    private readonly parent: FastifyBaseLogger,
    private readonly bindings: Bindings,
    private readonly options: ChildLoggerOptions,
  ) {
    this.threshold = levelValue(options.level ?? parent.level);
  }

  private realChild(): FastifyBaseLogger {
    this.real ??= this.parent.child(this.bindings, this.options);
    return this.real;
  }

  get level(): LevelWithSilentOrString {
    return this.real?.level ?? this.options.level ?? this.parent.level;
  }

  set level(level: LevelWithSilentOrString) {
    this.realChild().level = level;
  }

  fatal(...args: unknown[]): void {
    this.write('fatal', args);
  }
  error(...args: unknown[]): void {
    this.write('error', args);
  }
  warn(...args: unknown[]): void {
    this.write('warn', args);
  }
  info(...args: unknown[]): void {
    this.write('info', args);
  }
  debug(...args: unknown[]): void {
    this.write('debug', args);
  }
  trace(...args: unknown[]): void {
    this.write('trace', args);
  }
  silent(): void {}

  /** Writes through the real child, made now if this is the first line at an enabled level. */
  private write(level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace', args: unknown[]): void {
    if (this.real === null && levelValue(level) < this.threshold) return;
    const real = this.realChild();
    // LogFn is overloaded; the arguments go on exactly as the caller gave them.
    Reflect.apply(real[level], real, args);
  }

  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.realChild().child(bindings, options);
  }
}

export const lazyChildLoggerFactory: NonNullable<FastifyServerOptions['childLoggerFactory']> = (logger, bindings, options) =>
  new LazyChildLogger(logger, bindings, options);
