/**
 * Work that runs after a response (mail sending), so that a route's answer and timing do not
 * depend on it. Failures are logged, never thrown at a caller; idle() lets shutdown and tests
 * wait for what is in flight.
 */
export interface BackgroundTasks {
  run(label: string, work: () => Promise<void>): void;
  idle(): Promise<void>;
}

export function createBackgroundTasks(
  onError: (label: string, error: unknown) => void,
  /** Wraps the start of each task (buildApp uses it to detach tasks from the request's deadline). */
  start: (work: () => Promise<void>) => Promise<void> = (work) => work(),
): BackgroundTasks {
  const pending = new Set<Promise<void>>();
  return {
    run(label, work): void {
      const task = start(work)
        .catch((error: unknown) => onError(label, error))
        .finally(() => pending.delete(task));
      pending.add(task);
    },
    async idle(): Promise<void> {
      while (pending.size > 0) await Promise.all([...pending]);
    },
  };
}
