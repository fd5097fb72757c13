// After a deploy the process holds the garbage of starting the flow (modules loaded, the node
// types' config validators compiled, connections opened) and a young generation grown to the size
// that start-up needed. V8 gives that memory back to the system only under memory pressure, which
// an edge box running one small flow never reaches: the pump-monitor example idled at 96 MB, and
// one collection that reduces memory, once the deploy has settled, takes about 10 MB of it off.
// Only a host that owns the whole process asks for it (`tagflow run`, the engine process of
// `tagflow start`): an application embedding the engine keeps its own heap policy.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** V8's `gc` extension (as `--expose-gc` installs it): one option bag, nothing returned. */
type GcFunction = (options: { type: 'major'; execution: 'sync'; flavor: 'last-resort' }) => void;

/**
 * What the hosts wait after a deploy: sources have started and connections are usually open by
 * then, and a deploy that is one of several in a row waits for the last.
 */
export const SETTLE_MEMORY_AFTER_MS = 1000;

let gc: GcFunction | undefined;
let pending: NodeJS.Timeout | undefined;

/** The `gc` function, from a context made while the flag was on; later contexts are made without it. */
function gcFunction(): GcFunction {
  if (gc) return gc;
  setFlagsFromString('--expose-gc');
  try {
    gc = runInNewContext('gc') as GcFunction;
  } finally {
    // Function nodes' sandboxes and any other context made later must not be able to call it.
    setFlagsFromString('--no-expose-gc');
  }
  return gc;
}

/**
 * Collects now, the way V8 does before it reports running out of memory: every unreachable object,
 * the heap compacted and the young generation shrunk, its pages returned to the system. Takes a few
 * ms on the heap of a small flow; the flow waits meanwhile, so it runs once after a deploy, not on a
 * period.
 */
export function settleMemory(): void {
  gcFunction()({ type: 'major', execution: 'sync', flavor: 'last-resort' });
}

/**
 * Settles the memory `afterMs` after the latest call (deploys of several flows at once count as
 * one). The timer does not keep the process alive.
 */
export function settleMemoryAfter(afterMs: number): void {
  if (pending) clearTimeout(pending);
  pending = setTimeout(() => {
    pending = undefined;
    settleMemory();
  }, afterMs);
  pending.unref();
}
