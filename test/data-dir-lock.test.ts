/**
 * One process per DATA_DIR (embedded PGlite): a second process is refused with what to do,
 * instead of writing changes the first never sees and loses at shutdown; a lock left by a
 * process that died is taken over. Real processes: a holder, the real CLI beside the real server.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { after, describe, it } from 'node:test';
import { DataDirInUseError, lockDataDir } from '../src/db/data-dir-lock.ts';
import { ROOT, runCli, startServerProcess, type ServerProcess } from './helpers/processes.ts';

const servers: ServerProcess[] = [];
after(() => {
  for (const server of servers) server.child.kill('SIGKILL');
});

/** A process that takes the lock on `dir` and holds it until killed. */
async function holder(dir: string): Promise<{ pid: number; kill(): Promise<void> }> {
  const script = `import { lockDataDir } from ${JSON.stringify(path.join(ROOT, 'src/db/data-dir-lock.ts'))}; lockDataDir(${JSON.stringify(dir)}); console.log('locked'); setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  await once(child.stdout, 'data');
  return {
    pid: child.pid ?? 0,
    async kill(): Promise<void> {
      child.kill('SIGKILL');
      await once(child, 'exit');
    },
  };
}

describe('the DATA_DIR lock', () => {
  it('refuses a second process while the first lives, and takes over the lock of one that died', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gh-lock-'));
    const first = await holder(dir);
    assert.throws(
      () => lockDataDir(dir),
      (error: unknown) => error instanceof DataDirInUseError && error.message.includes(`pid ${first.pid}`) && error.message.includes('DATABASE_URL'),
    );
    await first.kill();
    const release = lockDataDir(dir);
    assert.ok(existsSync(path.join(dir, 'gatehouse.lock')));
    release();
    assert.ok(!existsSync(path.join(dir, 'gatehouse.lock')), 'released on close');
  });

  it('the CLI beside a running embedded server is refused with what to do, and writes nothing', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gh-lock-server-'));
    const server = await startServerProcess({ NODE_ENV: 'test', PORT: '0', DATA_DIR: dir, LOG_LEVEL: 'warn' });
    servers.push(server);
    assert.match(server.output(), /First admin: .*stop the server and run/, 'the banner never suggests a CLI write beside the running server');
    const cli = await runCli(['create-admin', 'beside@example.org'], { DATA_DIR: dir, NODE_ENV: 'test', LOG_LEVEL: 'silent' });
    assert.equal(cli.code, 1);
    assert.match(cli.stderr, /is in use by another Gatehouse process \(pid \d+\).*Stop that process/);
    server.child.kill('SIGTERM');
    await server.exited;
    const after = await runCli(['create-admin', 'after@example.org'], { DATA_DIR: dir, NODE_ENV: 'test', LOG_LEVEL: 'silent' });
    assert.equal(after.code, 0, after.stderr);
  });
});
