/**
 * CPU time per process and thread from Linux `/proc` (benchmarks only): where the cores went
 * during a phase. Elsewhere (no `/proc`) snapshots are empty and the split prints as unavailable.
 */
import { readdirSync, readFileSync } from 'node:fs';

const TICK_MS = 10; // USER_HZ is 100 on Linux

/**
 * Of `/proc/<path>/stat`: command name, parent pid, utime + stime (ms) and the CPU of its waited-for
 * children (cutime + cstime, ms); null once the process is gone.
 */
function stat(p: string): { comm: string; ppid: string; ms: number; childrenMs: number } | null {
  try {
    const s = readFileSync(`/proc/${p}/stat`, 'utf8');
    const close = s.lastIndexOf(')');
    const f = s.slice(close + 2).split(' ');
    return {
      comm: s.slice(s.indexOf('(') + 1, close),
      ppid: f[1] as string,
      ms: (Number(f[11]) + Number(f[12])) * TICK_MS,
      childrenMs: (Number(f[13]) + Number(f[14])) * TICK_MS,
    };
  } catch {
    return null;
  }
}

/** What a PostgreSQL process is, from its process title. */
function postgresRole(pid: string): string {
  let title: string;
  try {
    title = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return 'postgres connections';
  }
  if (title.includes('autovacuum')) return 'postgres autovacuum';
  if (/checkpointer|background writer|walwriter|wal writer|logical replication|io worker/.test(title)) {
    return 'postgres background';
  }
  return 'postgres connections';
}

function list(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/**
 * CPU ms so far of each labelled process, split by thread (`<label> main thread`, `<label> <thread
 * name>`), and of PostgreSQL: its connections, autovacuum workers and background writers alive now,
 * and (`postgres exited`) what processes that already ended used (autovacuum workers, closed
 * connections), which the postmaster has collected.
 */
export function cpuSnapshot(procs: Record<string, number | undefined>): Map<string, number> {
  const m = new Map<string, number>();
  const add = (k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v);
  for (const [label, pid] of Object.entries(procs)) {
    if (pid === undefined) continue;
    for (const t of list(`/proc/${pid}/task`)) {
      const s = stat(`${pid}/task/${t}`);
      if (!s) continue;
      // Node leaves its worker threads, V8's GC helper threads and libuv's pool named `node`.
      const thread = s.comm === 'node' ? 'workers and GC threads' : s.comm;
      add(t === String(pid) ? `${label} main thread` : `${label} ${thread}`, s.ms);
    }
  }
  const postgres = new Map<string, NonNullable<ReturnType<typeof stat>>>();
  for (const p of list('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    const s = stat(p);
    if (s?.comm === 'postgres') postgres.set(p, s);
  }
  for (const [pid, s] of postgres) {
    // The postmaster (its parent is not PostgreSQL) holds the CPU of its exited children.
    // Processes that exit between two snapshots are counted once the postmaster has waited for them.
    if (!postgres.has(s.ppid)) {
      add('postgres exited', s.childrenMs);
      add('postgres background', s.ms);
    } else add(postgresRole(pid), s.ms);
  }
  return m;
}

/** The CPU used between two snapshots, largest first, in seconds and in % of one core over `wallMs`. */
export function cpuDelta(a: Map<string, number>, b: Map<string, number>, wallMs: number): string {
  const parts = [...b]
    .map(([k, v]) => [k, v - (a.get(k) ?? 0)] as const)
    .filter(([, v]) => v >= 50)
    .sort((x, y) => y[1] - x[1])
    .map(([k, v]) => `${k} ${(v / 1000).toFixed(1)} s (${((v / wallMs) * 100).toFixed(0)}%)`);
  return parts.length ? parts.join(', ') : 'unavailable (no /proc)';
}
