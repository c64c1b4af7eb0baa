// Resident memory of a benchmark's app server, read from /proc (Linux). The server is a
// tree rather than one process: `next start` may run the HTTP server in a child of the
// node that was spawned, so the whole tree is summed.
import { readdirSync, readFileSync } from 'node:fs';

/** Resident memory of a process and all its descendants, in bytes. */
export function treeRss(pid: number): number {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch { /* the process ended */ }
  }
  let total = 0;
  const visit = (p: number) => {
    try {
      const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${p}/status`, 'utf8'))?.[1];
      total += Number(kb ?? 0) * 1024;
    } catch { /* gone */ }
    for (const c of children.get(p) ?? []) visit(c);
  };
  visit(pid);
  return total;
}

/**
 * Samples `treeRss(pid)` now (`baseline`) and every `everyMs` until `stop`, which returns
 * the highest sample. A spike shorter than the interval may be missed; memory that an
 * upload holds for a while is not.
 */
export function sampleRss(pid: number, everyMs = 100): { baseline: number; stop(): number } {
  const baseline = treeRss(pid);
  let peak = baseline;
  const timer = setInterval(() => (peak = Math.max(peak, treeRss(pid))), everyMs);
  return {
    baseline,
    stop() {
      clearInterval(timer);
      return (peak = Math.max(peak, treeRss(pid)));
    },
  };
}
