// What a running program costs the machine, read from /proc for the whole process tree under one pid:
// `tagflow start` may be one process or a supervisor with an engine (and helpers) under it, and the
// soak must count them all, each read the same way.
import { readdirSync, readFileSync } from 'node:fs';

/** One process of the tree at one moment. */
export interface ProcessReading {
  pid: number;
  /** The command line, shortened (what `ps` shows). */
  command: string;
  rssMb: number;
  /**
   * The part of RSS that is the process's own memory (RssAnon: heap, malloc arenas, stacks), as
   * against mapped files (RssFile: code, shared libraries, SQLite's mapped files) and shared memory
   * (RssShmem): only this part can leak; the kernel takes file pages back when it needs them.
   */
  rssAnonMb: number;
  rssFileMb: number;
  rssShmemMb: number;
  /** Open file descriptors: files, sockets, pipes. */
  fds: number;
  /** CPU time used so far, user + system, in seconds. */
  cpuSeconds: number;
}

/** The tree under a pid at one moment, and its totals. */
export interface TreeReading {
  processes: ProcessReading[];
  rssMb: number;
  rssAnonMb: number;
  fds: number;
  cpuSeconds: number;
}

/** The kernel's clock ticks per second, for utime and stime in /proc/<pid>/stat (100 on Linux). */
const CLOCK_TICKS = 100;

/** The pids of `pid`'s children, from every thread's children list (a child may be forked by any thread). */
function childrenOf(pid: number): number[] {
  const found: number[] = [];
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    const list = readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim();
    if (list) found.push(...list.split(/\s+/).map(Number));
  }
  return found;
}

/** `pid` and all its descendants, parents first. */
export function processTree(pid: number): number[] {
  const tree: number[] = [];
  const todo = [pid];
  while (todo.length > 0) {
    const next = todo.shift() as number;
    tree.push(next);
    try {
      todo.push(...childrenOf(next));
    } catch (err) {
      // A child may end between the listing and the read: it is then no longer part of the tree.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' && (err as NodeJS.ErrnoException).code !== 'ESRCH')
        throw err;
    }
  }
  return tree;
}

/** One process's reading; undefined when it ended while being read. */
export function readProcess(pid: number): ProcessReading | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    // A process whose memory is gone (a zombie) has no VmRSS line: it holds nothing.
    const mb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status)?.[1] ?? 0) / 1024;
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name in field 2 may hold spaces and parentheses: the fields after the last ')' are plain.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cpuSeconds = (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
    const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
    return {
      pid,
      command: command.length > 100 ? `${command.slice(0, 97)}...` : command,
      rssMb: mb('VmRSS'),
      rssAnonMb: mb('RssAnon'),
      rssFileMb: mb('RssFile'),
      rssShmemMb: mb('RssShmem'),
      fds: readdirSync(`/proc/${pid}/fd`).length,
      cpuSeconds,
    };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ESRCH')
      return undefined;
    throw err;
  }
}

/** The whole tree under `pid` now; throws when `pid` itself is gone. */
export function readTree(pid: number): TreeReading {
  const processes = processTree(pid)
    .map(readProcess)
    .filter((p): p is ProcessReading => p !== undefined);
  if (processes[0]?.pid !== pid) throw new Error(`process ${pid} is gone`);
  return {
    processes,
    rssMb: processes.reduce((sum, p) => sum + p.rssMb, 0),
    rssAnonMb: processes.reduce((sum, p) => sum + p.rssAnonMb, 0),
    fds: processes.reduce((sum, p) => sum + p.fds, 0),
    cpuSeconds: processes.reduce((sum, p) => sum + p.cpuSeconds, 0),
  };
}

/** A process's own memory split by who holds it, from /proc/<pid>/smaps (MB of anonymous pages). */
export interface MemoryMap {
  /** glibc malloc's main arena (the `[heap]` mapping, grown by brk): C++ objects, Node's and V8's own. */
  mallocMainMb: number;
  /** glibc's thread arenas: anonymous rw mappings starting on a 64 MB boundary (where glibc places them). */
  mallocArenasMb: number;
  /** Every other anonymous page: V8's heap pages and code, thread stacks, other mmaps. */
  otherAnonMb: number;
}

/** 64 MB: glibc aligns each thread arena's heap to HEAP_MAX_SIZE on 64-bit Linux. */
const ARENA_ALIGN = 64n * 2n ** 20n;

/** Where `pid`'s own memory lies (reading smaps costs a few ms: once per sample, not per poll); undefined when it ended. */
export function readMemoryMap(pid: number): MemoryMap | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/smaps`, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ESRCH')
      return undefined;
    throw err;
  }
  const kb = { main: 0, arenas: 0, other: 0 };
  let kind: keyof typeof kb = 'other';
  for (const line of text.split('\n')) {
    const head = /^([0-9a-f]+)-[0-9a-f]+ (\S+) \S+ \S+ \d+\s*(.*)$/.exec(line);
    if (head) {
      const name = head[3].trim();
      kind =
        name === '[heap]'
          ? 'main'
          : name === '' && head[2] === 'rw-p' && BigInt(`0x${head[1]}`) % ARENA_ALIGN === 0n
            ? 'arenas'
            : 'other';
    } else if (line.startsWith('Anonymous:')) kb[kind] += Number(/(\d+)/.exec(line)?.[1] ?? 0);
  }
  return { mallocMainMb: kb.main / 1024, mallocArenasMb: kb.arenas / 1024, otherAnonMb: kb.other / 1024 };
}
