import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promises as fs, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { NODES_SCRIPT, RabbitNodes } from '../bench/rabbitmq-nodes.js';
import { KaelError } from '../errors.js';
import { generateAdminKey } from '../security/admin-key.js';
import type { Logger } from '../util/logger.js';
import { chaosPackages, writeFrameFolder } from './chaos-packages.js';
import { ChaosFrame } from './chaos-frame.js';
import { descendantsOf, isAlive, isWorker, listProcesses } from './process-tree.js';
import type { ProcessInfo } from './process-tree.js';

/** How long a killed frame's workers may live on before they count as orphans. */
const ORPHAN_GRACE_MS = 10_000;

/**
 * What a chaos run stands on: its own RabbitMQ node (scripts/rabbitmq-nodes.sh, never the default
 * broker), a folder holding each frame's packages and logs, and the frame processes. Everything it
 * starts it also stops and deletes, on a normal end, on Ctrl-C, and (last resort) at process exit.
 */
export class ChaosCluster {
  readonly frames: ChaosFrame[] = [];
  /** Frame processes that exited by themselves (each was started again). */
  unexpectedExits = 0;
  /** Workers still alive after their frame was killed. */
  orphans = 0;
  private readonly orphanChecks = new Set<Promise<void>>();
  private readonly restartDelayMs = new Map<ChaosFrame, number>();
  private closed = false;
  private readonly lastResort = (): void => this.cleanUpNow();

  private constructor(
    readonly root: string,
    readonly namespace: string,
    readonly adminKey: string,
    readonly url: string,
    private readonly rabbit: RabbitNodes,
    private readonly logger: Logger,
  ) {}

  /** The file each service run appends its call id to. */
  get executionLog(): string {
    return path.join(this.root, 'executions.log');
  }

  /** The file each crontab tick appends its scheduled time to. */
  get tickLog(): string {
    return path.join(this.root, 'ticks.log');
  }

  /**
   * Starts a private RabbitMQ node on `port` and `frames` frame processes on it.
   * @throws KaelError `USAGE` when the port (or its distribution port) is taken; `COMMAND_FAILED`
   * when a frame does not start.
   */
  static async start(port: number, frames: number, logger: Logger): Promise<ChaosCluster> {
    for (const p of [port, port + 20_000])
      if (!(await isFree(p)))
        throw new KaelError('USAGE', `port ${p} is taken (another chaos run?); pass --port with a free base`);
    const root = await fs.mkdtemp(path.join(os.tmpdir(), 'kael-chaos-'));
    const rabbit = new RabbitNodes(`kchaos${randomBytes(3).toString('hex')}n`, port);
    const cluster = new ChaosCluster(
      root,
      `chaos-${randomBytes(3).toString('hex')}`,
      generateAdminKey(),
      `amqp://guest:guest@127.0.0.1:${port}`,
      rabbit,
      logger,
    );
    process.once('exit', cluster.lastResort);
    try {
      logger.info('starting a private RabbitMQ node', { port, prefix: rabbit.prefix });
      await rabbit.start(1);
      const packages = chaosPackages(cluster.executionLog, cluster.tickLog);
      for (let i = 1; i <= frames; i++) {
        const conf = await writeFrameFolder(path.join(root, `frame${i}`), packages);
        cluster.frames.push(
          new ChaosFrame(
            i,
            {
              conf,
              namespace: cluster.namespace,
              auri: cluster.url,
              logFile: path.join(root, `frame${i}.log`),
              env: { KAEL_ADMIN_KEY: cluster.adminKey },
            },
            (frame, how) => cluster.onUnexpectedExit(frame, how),
          ),
        );
      }
      logger.info(`starting ${frames} frames`, { namespace: cluster.namespace, folder: root });
      await Promise.all(cluster.frames.map((f) => f.start()));
      return cluster;
    } catch (e) {
      await cluster.close(false);
      throw e;
    }
  }

  /** kill -9 of a frame, then the same frame started again in its folder. */
  async killFrame(frame: ChaosFrame): Promise<string> {
    const pid = frame.pid;
    if (pid === undefined) throw new KaelError('COMMAND_FAILED', `frame ${frame.index} is not running`);
    const workers = descendantsOf(pid, await listProcesses());
    frame.kill('SIGKILL');
    await frame.waitExit();
    this.watchOrphans(workers);
    await frame.start();
    return `frame ${frame.index} (pid ${pid} → ${frame.pid ?? '?'})`;
  }

  /**
   * kill -9 of one worker process (Node or Python) of any frame, chosen by `pick` among all of them
   * (a frame replacing its worker has none for a while); the frame must replace it.
   * @throws KaelError `COMMAND_FAILED` when no frame has a worker process.
   */
  async killWorker(pick: (workers: readonly ProcessInfo[]) => ProcessInfo): Promise<string> {
    const all = await listProcesses();
    const owner = new Map<number, ChaosFrame>();
    for (const f of this.frames) {
      if (f.pid === undefined) continue;
      for (const p of descendantsOf(f.pid, all)) if (isWorker(p)) owner.set(p.pid, f);
    }
    const workers = all.filter((p) => owner.has(p.pid));
    if (workers.length === 0) throw new KaelError('COMMAND_FAILED', 'no frame has a worker process');
    const victim = pick(workers);
    process.kill(victim.pid, 'SIGKILL');
    const what = victim.cmdline.includes('kael_worker.py') ? 'Python worker' : 'Node worker';
    return `${what} ${victim.pid} of frame ${owner.get(victim.pid)?.index ?? '?'}`;
  }

  /** SIGSTOP of a frame (its workers run on), SIGCONT after `ms`. */
  async freezeFrame(frame: ChaosFrame, ms: number): Promise<string> {
    const pid = frame.pid;
    if (pid === undefined) throw new KaelError('COMMAND_FAILED', `frame ${frame.index} is not running`);
    frame.kill('SIGSTOP');
    await new Promise((resolve) => setTimeout(resolve, ms));
    frame.kill('SIGCONT');
    return `frame ${frame.index} (pid ${pid}) for ${ms} ms`;
  }

  /** Stops the broker node (gracefully, or kill -9) and starts it again; resolves once it takes connections. */
  async restartBroker(how: 'stop' | 'kill'): Promise<string> {
    if (how === 'stop') await this.rabbit.stop(1);
    else await this.rabbit.kill(1);
    await this.rabbit.restart(1);
    return how === 'stop' ? 'graceful stop and start' : 'kill -9 and start';
  }

  /**
   * Stops every frame (SIGTERM, SIGKILL after 15 s), kills workers left behind, stops the broker
   * node and deletes the run's folder unless `keep`.
   */
  async close(keep: boolean): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const all = await listProcesses();
    const left = this.frames.flatMap((f) => (f.pid === undefined ? [] : descendantsOf(f.pid, all)));
    await Promise.all(this.frames.map((f) => f.stop(15_000)));
    await Promise.all([...this.orphanChecks]);
    for (const p of left) if (isAlive(p.pid)) this.killQuietly(p.pid);
    await Promise.all(this.frames.map((f) => f.closeLog()));
    try {
      await this.rabbit.down();
    } catch (e) {
      this.logger.error('cannot stop the private RabbitMQ node', { error: (e as Error).message });
    }
    process.removeListener('exit', this.lastResort);
    if (!keep) await fs.rm(this.root, { recursive: true, force: true });
  }

  private onUnexpectedExit(frame: ChaosFrame, how: string): void {
    if (this.closed) return;
    this.unexpectedExits++;
    // Back off while a frame keeps dying: a crash loop must not spin the machine.
    const delay = this.restartDelayMs.get(frame) ?? 1000;
    this.restartDelayMs.set(frame, Math.min(delay * 2, 15_000));
    this.logger.error(`frame ${frame.index} exited by itself (${how}); starting it again in ${delay} ms`);
    setTimeout(() => {
      if (this.closed) return;
      frame.start().then(
        () => this.restartDelayMs.delete(frame),
        (e: unknown) =>
          this.logger.error(`frame ${frame.index} could not be started again`, {
            error: (e as Error).message,
          }),
      );
    }, delay);
  }

  /** Counts (and kills) workers of a killed frame that are still alive after a grace. */
  private watchOrphans(processes: readonly ProcessInfo[]): void {
    const check = new Promise<void>((resolve) => setTimeout(resolve, this.closed ? 0 : ORPHAN_GRACE_MS)).then(
      () => {
        for (const p of processes) {
          if (!isAlive(p.pid)) continue;
          this.orphans++;
          this.logger.warn('a worker outlived its killed frame', {
            pid: p.pid,
            cmd: p.cmdline.slice(0, 120),
          });
          this.killQuietly(p.pid);
        }
      },
    );
    this.orphanChecks.add(check);
    void check.finally(() => this.orphanChecks.delete(check));
  }

  private killQuietly(pid: number): void {
    try {
      process.kill(pid, 'SIGKILL');
    } catch (e) {
      this.logger.debug('process already gone', { pid, error: (e as Error).message });
    }
  }

  /** Synchronous cleanup when the process exits without {@link close} (a crash of the run itself). */
  private cleanUpNow(): void {
    if (this.closed) return;
    for (const f of this.frames) f.kill('SIGKILL');
    try {
      execFileSync(NODES_SCRIPT, ['down'], {
        env: {
          ...process.env,
          KAEL_RABBIT_PREFIX: this.rabbit.prefix,
          KAEL_RABBIT_PORT: String(this.rabbit.port),
        },
        stdio: 'ignore',
        timeout: 60_000,
      });
    } catch (e) {
      process.stderr.write(`chaos: cannot stop the private RabbitMQ node: ${(e as Error).message}\n`);
    }
    rmSync(this.root, { recursive: true, force: true });
  }
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
