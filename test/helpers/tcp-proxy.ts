/**
 * A TCP proxy in front of PostgreSQL that a test can break in the ways networks break:
 * - cut(): every open connection is reset and new ones are refused (a server restart), until restore();
 * - setDelay(ms): every chunk, both ways, is held that long (a slow or congested database);
 * - partition(): bytes stop flowing on every connection, open or new, with no reset and no close
 *   (packets dropped: a partition, a dead NAT entry, a failed-over host); heal() lets new
 *   connections through again, while the ones open during the partition stay silent for good,
 *   half-open, as their lost packets never arrive.
 */
import net from 'node:net';

export interface TcpProxy {
  readonly port: number;
  /** Resets all connections and stops listening (connections are refused). */
  cut(): Promise<void>;
  /** Listens again on the same port. */
  restore(): Promise<void>;
  /** Holds every chunk this long before passing it on (0: at once). */
  setDelay(ms: number): void;
  /** Drops every byte on every connection from now on, without closing anything. */
  partition(): void;
  /** New connections work again; those open during the partition stay half-open. */
  heal(): void;
  /** Connections accepted so far. */
  connections(): number;
  close(): Promise<void>;
}

interface Link {
  silenced: boolean;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const sockets = new Set<net.Socket>();
  const links = new Set<Link>();
  let delayMs = 0;
  let partitioned = false;
  let accepted = 0;

  function track(socket: net.Socket, peer: () => net.Socket | null, link: Link): void {
    sockets.add(socket);
    socket.on('close', () => {
      sockets.delete(socket);
      // A close that is still allowed to travel reaches the other side.
      if (!link.silenced) peer()?.destroy();
    });
    socket.on('error', () => socket.destroy());
  }

  function forward(from: net.Socket, to: () => net.Socket | null, link: Link): void {
    from.on('data', (chunk: Buffer) => {
      const send = (): void => {
        const target = to();
        if (!link.silenced && target !== null && !target.destroyed) target.write(chunk);
      };
      if (link.silenced) return;
      if (delayMs > 0) setTimeout(send, delayMs);
      else send();
    });
  }

  const server = net.createServer((client) => {
    accepted += 1;
    const link: Link = { silenced: partitioned };
    links.add(link);
    client.on('close', () => links.delete(link));
    // During a partition nothing reaches the server: the client waits on a connection nobody answers.
    const upstream = link.silenced ? null : net.connect(target.port, target.host);
    track(client, () => upstream, link);
    if (upstream !== null) {
      track(upstream, () => client, link);
      forward(client, () => upstream, link);
      forward(upstream, () => client, link);
    }
  });
  const listen = (port: number): Promise<void> => new Promise((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', () => resolve()));
  const stopListening = (): Promise<void> => new Promise((resolve) => server.close(() => resolve()));
  await listen(0);
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const resetAll = (): void => {
    for (const socket of sockets) socket.resetAndDestroy();
  };
  return {
    port,
    async cut(): Promise<void> {
      const closed = stopListening();
      resetAll();
      await closed;
    },
    restore: () => listen(port),
    setDelay(ms): void {
      delayMs = ms;
    },
    partition(): void {
      partitioned = true;
      for (const link of links) link.silenced = true;
    },
    heal(): void {
      partitioned = false;
    },
    connections: () => accepted,
    async close(): Promise<void> {
      const closed = server.listening ? stopListening() : Promise.resolve();
      for (const link of links) link.silenced = false;
      resetAll();
      await closed;
    },
  };
}
