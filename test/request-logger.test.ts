/**
 * Request loggers made on first use: a line at an enabled level comes out exactly as pino's own
 * child would write it (reqId, redaction); a line below the level makes no child at all.
 */
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import type { Bindings, ChildLoggerOptions } from 'pino';
import type { LogLevel } from '../src/config.ts';
import { loggerOptions } from '../src/http/logging.ts';
import { lazyChildLoggerFactory } from '../src/http/request-logger.ts';

/** A real pino logger (the app's options) writing into `lines`, and a count of children made. */
function setup(level: LogLevel): {
  lines: Record<string, unknown>[];
  childrenMade: () => number;
  requestLogger: (options?: ChildLoggerOptions) => FastifyBaseLogger;
} {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback): void {
      lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
      callback();
    },
  });
  const app = Fastify({ logger: loggerOptions(level, stream) });
  const parent = app.log;
  let made = 0;
  const counting: FastifyBaseLogger = Object.assign(Object.create(parent) as FastifyBaseLogger, {
    child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
      made += 1;
      return parent.child(bindings, options);
    },
  });
  const requestLogger = (options: ChildLoggerOptions = {}): FastifyBaseLogger =>
    lazyChildLoggerFactory.call(app, counting, { reqId: 'req-1' }, options, {} as IncomingMessage);
  return { lines, childrenMade: () => made, requestLogger };
}

describe('lazy request loggers', () => {
  it('write a line at an enabled level with the request id, redacted as before', () => {
    const { lines, requestLogger } = setup('warn');
    const log = requestLogger();
    log.warn({ body: { password: 'hunter2hunter2' } }, 'something odd');
    log.error('plain %s', 'message');
    assert.equal(lines.length, 2);
    assert.equal(lines[0]?.reqId, 'req-1');
    assert.equal(lines[0]?.msg, 'something odd');
    assert.deepEqual(lines[0]?.body, { password: '[redacted]' });
    assert.equal(lines[1]?.reqId, 'req-1');
    assert.equal(lines[1]?.msg, 'plain message');
  });

  it('make no child for lines below the level, and write none', () => {
    const { lines, childrenMade, requestLogger } = setup('warn');
    const log = requestLogger();
    log.info({ req: 'x' }, 'incoming request');
    log.debug('detail');
    log.trace('more detail');
    assert.equal(childrenMade(), 0);
    assert.equal(lines.length, 0);
    assert.equal(log.level, 'warn');
    log.warn('now');
    assert.equal(childrenMade(), 1);
    log.error('again');
    assert.equal(childrenMade(), 1, 'one child per request, made once');
    assert.equal(lines.length, 2);
  });

  it("honour a route's own level, and a level set later", () => {
    const { lines, requestLogger } = setup('info');
    const quiet = requestLogger({ level: 'silent' });
    quiet.fatal('not written');
    assert.equal(lines.length, 0);
    const log = requestLogger();
    log.level = 'error';
    log.warn('below the new level');
    log.error('at it');
    assert.deepEqual(
      lines.map((line) => line.msg),
      ['at it'],
    );
  });

  it('give children that keep the request id', () => {
    const { lines, requestLogger } = setup('info');
    requestLogger().child({ task: 'mail' }).info('sent');
    assert.equal(lines[0]?.reqId, 'req-1');
    assert.equal(lines[0]?.task, 'mail');
  });
});
