/** A one-line progress display on stderr (only when it is a terminal; pipes get the summary). */
export interface Progress {
  update(label: string, done: number, total?: number): void;
  finish(): void;
}

export function createProgress(stream: NodeJS.WriteStream = process.stderr): Progress {
  const tty = stream.isTTY === true;
  let last = 0;
  return {
    update(label: string, done: number, total?: number): void {
      const now = Date.now();
      if (!tty || (now - last < 100 && (total === undefined || done < total))) return;
      last = now;
      const share = total === undefined || total === 0 ? '' : ` ${Math.floor((done / total) * 100)}%`;
      stream.write(`\r${label}: ${done.toLocaleString('en')}${total === undefined ? '' : `/${total.toLocaleString('en')}`}${share}   `);
    },
    finish(): void {
      if (tty) stream.write('\n');
    },
  };
}
