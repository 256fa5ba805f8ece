import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { KaelError } from '../errors.js';
import type { Logger } from '../util/logger.js';
import type { Health } from './health.js';

/** What the server serves. */
export interface MetricsEndpoints {
  /** The Prometheus exposition text and its content type. */
  metrics(): Promise<{ text: string; contentType: string }>;
  health(): Health;
}

/**
 * The frame's HTTP endpoint for Prometheus and probes: `GET /metrics` and `GET /healthz` (200 with
 * `{"status":"ok"}`, or 503 with `{"status":"unavailable","reasons":[...]}`). Nothing else; it reads,
 * never changes, the frame.
 */
export class MetricsServer {
  private readonly server: http.Server;

  constructor(
    private readonly endpoints: MetricsEndpoints,
    private readonly logger: Logger,
  ) {
    this.server = http.createServer((req, res) => void this.serve(req, res));
    this.server.on('error', (e: Error) => this.logger.error('metrics server error', { error: e.message }));
  }

  /**
   * Listens on `port` (0: any free port) of `host`.
   * @throws KaelError `CONFIG_INVALID` when the port cannot be listened on (in use, not allowed).
   */
  async listen(port: number, host: string): Promise<AddressInfo> {
    await new Promise<void>((resolve, reject) => {
      const fail = (e: Error): void =>
        reject(new KaelError('CONFIG_INVALID', `metrics port ${host}:${port}: ${e.message}`, { cause: e }));
      this.server.once('error', fail);
      this.server.listen(port, host, () => {
        this.server.off('error', fail);
        resolve();
      });
    });
    return this.server.address() as AddressInfo;
  }

  /** Stops listening and ends open connections. */
  async close(): Promise<void> {
    if (!this.server.listening) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET, HEAD' }).end();
      } else if (path === '/metrics') {
        const { text, contentType } = await this.endpoints.metrics();
        res.writeHead(200, { 'content-type': contentType }).end(text);
      } else if (path === '/healthz') {
        const h = this.endpoints.health();
        const body = h.ok ? { status: 'ok' } : { status: 'unavailable', reasons: h.reasons };
        res.writeHead(h.ok ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      } else {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('kael: /metrics and /healthz only\n');
      }
    } catch (e) {
      this.logger.error('metrics request failed', { path, error: (e as Error).message });
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`kael: ${(e as Error).message}\n`);
    }
  }
}
