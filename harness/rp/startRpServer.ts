import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { createRpApp, type RpApp } from './createRpApp.ts';
import type { RpConfigInput } from './RpConfig.ts';

export interface RunningRpServer {
  /** the page's URL on the configured origin's host (http://localhost:PORT by default) */
  url: string;
  port: number;
  rp: RpApp;
  close(): Promise<void>;
}

/**
 * Listens on host:port (port 0: an ephemeral port) and only then builds the app, so the default origin
 * http://localhost:PORT carries the real port. Requests before that cannot arrive: nobody knows the port.
 */
export async function startRpServer(options: { host: string; port: number; config: Omit<RpConfigInput, 'port'> }): Promise<RunningRpServer> {
  let rp: RpApp | undefined;
  const server = serve({
    // the node bindings (env) carry the socket, whose peer address the per-client budgets use
    fetch: (req, env) => (rp ? rp.app.fetch(req, env) : new Response('starting', { status: 503 })),
    hostname: options.host,
    port: options.port,
  });
  // a client reuses an idle keep-alive socket until the timeout the server announced; under load the
  // event loop can stall past node's 5 s default and close sockets a client is just writing to (ECONNRESET)
  (server as unknown as { keepAliveTimeout: number }).keepAliveTimeout = 60_000;
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.once('listening', () => resolve((server.address() as AddressInfo).port));
  });
  rp = createRpApp({ ...options.config, port });
  const origin = rp.state.config.origin;
  return {
    url: origin,
    port,
    rp,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      });
      await rp!.close();
    },
  };
}
