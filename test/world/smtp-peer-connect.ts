import net from 'node:net';
import type { SocketFactory } from '../../src/verify/smtp/socket-factory.js';

/**
 * A plain TCP socket factory for tests against loopback peers: no SSRF policy
 * (loopback is the point), honours the AbortSignal, counts connections.
 */
export function plainConnect(counter?: { connects: number }): SocketFactory {
  return ({ host, port, signal }) =>
    new Promise((resolve, reject) => {
      if (counter) counter.connects++;
      const socket = net.connect({ host, port });
      const onAbort = (): void => {
        socket.destroy();
        reject(new Error('connect aborted'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      socket.once('connect', () => {
        signal?.removeEventListener('abort', onAbort);
        socket.removeAllListeners('error');
        resolve(socket);
      });
      socket.once('error', (error) => {
        signal?.removeEventListener('abort', onAbort);
        reject(error);
      });
    });
}
