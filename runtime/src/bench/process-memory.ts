import { promises as fs } from 'node:fs';

/** The resident set size in MB from the text of `/proc/<pid>/status`, or undefined when absent. */
export function parseRssMb(status: string): number | undefined {
  const m = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  return m === null ? undefined : Math.round((Number(m[1]) / 1024) * 10) / 10;
}

/** The resident set size of a process in MB (Linux), or undefined when it cannot be read. */
export async function rssMb(pid: number): Promise<number | undefined> {
  try {
    return parseRssMb(await fs.readFile(`/proc/${pid}/status`, 'utf8'));
  } catch (e) {
    // Gone or not Linux: the benchmark reports the number as unknown.
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/** The parent pid from the text of `/proc/<pid>/stat` (the process name may hold spaces and parentheses). */
export function parseParentPid(stat: string): number | undefined {
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ppid = Number(rest[1]);
  return Number.isInteger(ppid) ? ppid : undefined;
}

/** Every descendant of a process (children, their children, …), read from /proc (Linux). */
export async function descendants(pid: number): Promise<number[]> {
  const parents = new Map<number, number>();
  for (const name of await fs.readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = await fs.readFile(`/proc/${name}/stat`, 'utf8').catch(() => '');
    const ppid = stat === '' ? undefined : parseParentPid(stat);
    if (ppid !== undefined) parents.set(Number(name), ppid);
  }
  const out: number[] = [];
  const walk = (p: number): void => {
    for (const [child, parent] of parents)
      if (parent === p) {
        out.push(child);
        walk(child);
      }
  };
  walk(pid);
  return out;
}
