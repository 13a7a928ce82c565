/**
 * One process per DATA_DIR. Embedded PGlite is a database inside the process that opened it: a
 * second process on the same directory (the CLI beside a running server) would write changes
 * the first never sees, and the first would overwrite them at shutdown. So the directory is
 * locked by a file holding the owner's pid: a second process is refused with what to do, and a
 * lock left by a process that died is taken over.
 */
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';

export class DataDirInUseError extends Error {
  override readonly name = 'DataDirInUseError';
  constructor(dataDir: string, pid: number, lockFile: string) {
    super(
      `DATA_DIR ${dataDir} is in use by another Gatehouse process (pid ${pid}). Embedded PGlite serves one process: a second one ` +
        'would write changes the first never sees, and they would be lost. Stop that process and run this again; or, while a server runs, ' +
        'make the change through it (the admin console, or the admin API with X-API-Key); or run Gatehouse on PostgreSQL (DATABASE_URL), ' +
        `where the CLI and any number of servers share the database. If no Gatehouse process runs, delete ${lockFile}.`,
    );
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function ownerOf(lockFile: string): number | null {
  try {
    const pid = Number(readFileSync(lockFile, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** Takes the lock on `dataDir` (which must exist); returns the function that gives it back. */
export function lockDataDir(dataDir: string): () => void {
  const lockFile = path.join(dataDir, 'gatehouse.lock');
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(lockFile, 'wx');
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      let held = true;
      const release = (): void => {
        if (!held) return;
        held = false;
        process.off('exit', release);
        if (ownerOf(lockFile) === process.pid) unlinkSync(lockFile);
      };
      process.on('exit', release);
      return release;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = ownerOf(lockFile);
      if (owner !== null && owner !== process.pid && isAlive(owner)) throw new DataDirInUseError(dataDir, owner, lockFile);
      // Left by a process that is gone (or unreadable): take it over.
      try {
        unlinkSync(lockFile);
      } catch {
        // another process took it over first; the next attempt sees its pid
      }
    }
  }
  throw new DataDirInUseError(dataDir, ownerOf(lockFile) ?? 0, lockFile);
}
