/**
 * Where the CPU goes during a run (Linux /proc): the served process's main thread and its other
 * threads (libuv's pool hashes passwords; V8's helpers collect garbage), every PostgreSQL process,
 * and this process (the load generator). Reported per request, so a ratio can be explained by
 * what each side spends, not only seen.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Milliseconds of CPU per request, by where it was spent. */
export interface CpuSplit {
  readonly main: number;
  readonly otherThreads: number;
  readonly postgres: number;
  readonly load: number;
}

// Linux reports utime/stime in clock ticks of 1/100 s (USER_HZ) on every architecture Node runs on.
const MS_PER_TICK = 10;

/** utime + stime; with `reaped`, also cutime + cstime: the CPU of children it has waited for. */
function ticksOf(statPath: string, reaped = false): number {
  try {
    const fields = (readFileSync(statPath, 'utf8').split(') ')[1] ?? '').split(' ');
    return Number(fields[11]) + Number(fields[12]) + (reaped ? Number(fields[13]) + Number(fields[14]) : 0);
  } catch {
    return 0; // the process or thread ended
  }
}

function threadTicks(pid: number): { main: number; others: number } {
  let main = 0;
  let others = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    const ticks = ticksOf(`/proc/${pid}/task/${tid}/stat`);
    if (tid === String(pid)) main += ticks;
    else others += ticks;
  }
  return { main, others };
}

function postgresTicks(): number {
  let total = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      // A backend that exits during a run leaves the list; the postmaster reaps it and its CPU
      // moves to the postmaster's children's counters, so counting those keeps the sum whole.
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'postgres') total += ticksOf(`/proc/${pid}/stat`, true);
    } catch {
      // gone
    }
  }
  return total;
}

/** Starts counting; `stop(requests)` gives the CPU per request since the start. */
export function startCpuMeter(pid: number): { stop(requests: number): CpuSplit } {
  const threads = threadTicks(pid);
  const postgres = postgresTicks();
  const self = process.cpuUsage();
  return {
    stop(requests: number): CpuSplit {
      const after = threadTicks(pid);
      const used = process.cpuUsage(self);
      const per = (ms: number): number => (requests > 0 ? ms / requests : 0);
      return {
        main: per((after.main - threads.main) * MS_PER_TICK),
        otherThreads: per((after.others - threads.others) * MS_PER_TICK),
        postgres: per((postgresTicks() - postgres) * MS_PER_TICK),
        load: per((used.user + used.system) / 1000),
      };
    },
  };
}
