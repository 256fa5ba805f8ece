import { promises as fs } from 'node:fs';

/** One process as /proc shows it. */
export interface ProcessInfo {
  pid: number;
  ppid: number;
  /** The command line, arguments joined by spaces. */
  cmdline: string;
}

/** Every process of this machine (Linux /proc); processes that end while being read are skipped. */
export async function listProcesses(): Promise<ProcessInfo[]> {
  const out: ProcessInfo[] = [];
  for (const entry of await fs.readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = await fs.readFile(`/proc/${entry}/stat`, 'utf8');
      const cmdline = await fs.readFile(`/proc/${entry}/cmdline`, 'utf8');
      out.push({ pid: Number(entry), ppid: parentOf(stat), cmdline: cmdline.split('\0').join(' ').trim() });
    } catch (e) {
      // The process ended between readdir and read: it is simply not listed.
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT' && (e as NodeJS.ErrnoException).code !== 'ESRCH')
        throw e;
    }
  }
  return out;
}

/** The parent pid from a `/proc/<pid>/stat` line (the command name may hold spaces and parentheses). */
export function parentOf(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[1]);
}

/** Every descendant of `pid` (children, their children, …) among `all`. */
export function descendantsOf(pid: number, all: readonly ProcessInfo[]): ProcessInfo[] {
  const children = new Map<number, ProcessInfo[]>();
  for (const p of all) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
  const out: ProcessInfo[] = [];
  const stack = [pid];
  while (stack.length > 0) {
    for (const child of children.get(stack.pop() as number) ?? []) {
      out.push(child);
      stack.push(child.pid);
    }
  }
  return out;
}

/** True for a service worker: the frame's forked Node worker or a Python package's worker. */
export function isWorker(p: ProcessInfo): boolean {
  return p.cmdline.includes('service-worker.js') || p.cmdline.includes('kael_worker.py');
}

/** True while `pid` exists (signal 0 reaches it). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  return true;
}
