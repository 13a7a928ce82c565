/**
 * A TCP proxy in front of PostgreSQL that a test can cut: every open connection is reset and
 * new ones are refused (what clients see when the server restarts), until restore().
 */
import net from 'node:net';

export interface TcpProxy {
  readonly port: number;
  /** Resets all connections and stops listening (connections are refused). */
  cut(): Promise<void>;
  /** Listens again on the same port. */
  restore(): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(target.port, target.host);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
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
    async close(): Promise<void> {
      const closed = server.listening ? stopListening() : Promise.resolve();
      resetAll();
      await closed;
    },
  };
}
