/**
 * Paths into a message, as users write them in node configs: `payload`, `payload.temperature`,
 * `payload.values[2]`, `payload["tag.with.dots"]`. Reading walks own properties only; writing
 * copies the objects along the path and shares everything else (messages are immutable).
 */

/** One step of a path: an object key or an array index. */
export type PathSegment = string | number;

/** A path that cannot be parsed or followed, described in plain words. */
export class PathError extends Error {
  override readonly name = 'PathError';
}

// Keys that would reach or replace an object's prototype.
const FORBIDDEN = new Set(['__proto__', 'prototype', 'constructor']);
const IDENTIFIER = /^[^.[\]"']+/;

/** Parses a path; throws a PathError naming the problem. */
export function parsePath(path: string): PathSegment[] {
  const segments: PathSegment[] = [];
  let rest = path.trim();
  if (rest === '') throw new PathError('the path is empty');
  let first = true;
  while (rest !== '') {
    if (rest.startsWith('[')) {
      const index = /^\[(\d+)\]/.exec(rest);
      const quoted = /^\[(["'])(.*?)\1\]/.exec(rest);
      if (index) {
        segments.push(Number(index[1]));
        rest = rest.slice(index[0].length);
      } else if (quoted) {
        segments.push(checked(quoted[2], path));
        rest = rest.slice(quoted[0].length);
      } else {
        throw new PathError(`"${path}" has a bracket that is not [number] or ["key"]`);
      }
    } else {
      if (!first) {
        if (!rest.startsWith('.'))
          throw new PathError(`"${path}" is not a path like payload.value or payload.items[0]`);
        rest = rest.slice(1);
      }
      const key = IDENTIFIER.exec(rest);
      if (!key) throw new PathError(`"${path}" has an empty step (two dots, or a dot at an end)`);
      segments.push(checked(key[0].trim(), path));
      rest = rest.slice(key[0].length);
    }
    first = false;
  }
  return segments;
}

function checked(key: string, path: string): string {
  if (key === '') throw new PathError(`"${path}" has an empty key`);
  if (FORBIDDEN.has(key)) throw new PathError(`"${path}" uses "${key}", which is not allowed in a path`);
  return key;
}

/** Writes a parsed path back as text, e.g. `payload.values[2]`. */
export function formatPath(segments: readonly PathSegment[]): string {
  return segments
    .map((s, i) =>
      typeof s === 'number'
        ? `[${s}]`
        : /^[A-Za-z_$][\w$]*$/.test(s)
          ? `${i === 0 ? '' : '.'}${s}`
          : `[${JSON.stringify(s)}]`,
    )
    .join('');
}

/** The value at `segments`, or undefined when any step is missing. */
export function getPath(root: unknown, segments: readonly PathSegment[]): unknown {
  let current = root;
  for (const segment of segments) {
    if (typeof current === 'string') {
      // `payload.length` and `payload[0]` on text, as users expect.
      current = segment === 'length' ? current.length : typeof segment === 'number' ? current[segment] : undefined;
    } else if (
      current !== null &&
      typeof current === 'object' &&
      Object.prototype.hasOwnProperty.call(current, segment)
    ) {
      current = (current as Record<PathSegment, unknown>)[segment];
    } else {
      return undefined;
    }
  }
  return current;
}

/**
 * Returns a copy of `root` with `value` at `segments`: the objects along the path are copied, the
 * rest is shared. Missing steps are created (an array for an index step, else an object). Throws a
 * PathError when a step goes through a value that is not a plain object or array.
 */
export function setPath<T>(root: T, segments: readonly PathSegment[], value: unknown): T {
  return setAt(root, segments, 0, value) as T;
}

function setAt(node: unknown, segments: readonly PathSegment[], depth: number, value: unknown): unknown {
  const segment = segments[depth];
  const copy = containerCopy(node, segments, depth);
  const next = depth === segments.length - 1 ? value : setAt(copy[segment], segments, depth + 1, value);
  copy[segment] = next;
  return copy;
}

function containerCopy(node: unknown, segments: readonly PathSegment[], depth: number): Record<PathSegment, unknown> {
  const segment = segments[depth];
  if (node === undefined || node === null)
    return (typeof segment === 'number' ? [] : {}) as Record<PathSegment, unknown>;
  if (Array.isArray(node)) {
    if (typeof segment !== 'number') throw conflict(segments, depth, `a list, which has no field "${segment}"`);
    return node.slice() as unknown as Record<PathSegment, unknown>;
  }
  if (isPlainObject(node)) return { ...node };
  throw conflict(segments, depth, describeKind(node));
}

/**
 * Returns a copy of `root` without the value at `segments` (an array item is removed, closing the
 * gap), or `root` itself when there is nothing there.
 */
export function deletePath<T>(root: T, segments: readonly PathSegment[]): T {
  return deleteAt(root, segments, 0) as T;
}

function deleteAt(node: unknown, segments: readonly PathSegment[], depth: number): unknown {
  const segment = segments[depth];
  if (node === null || typeof node !== 'object' || !Object.prototype.hasOwnProperty.call(node, segment)) return node;
  if (Array.isArray(node)) {
    if (typeof segment !== 'number') return node;
    const copy = node.slice();
    if (depth === segments.length - 1) copy.splice(segment, 1);
    else {
      const child = deleteAt(copy[segment], segments, depth + 1);
      if (child === copy[segment]) return node;
      copy[segment] = child;
    }
    return copy;
  }
  if (!isPlainObject(node)) return node;
  if (depth === segments.length - 1) {
    const { [segment]: _removed, ...rest } = node;
    return rest;
  }
  const child = deleteAt(node[segment], segments, depth + 1);
  return child === node[segment] ? node : { ...node, [segment]: child };
}

function isPlainObject(value: unknown): value is Record<PathSegment, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function conflict(segments: readonly PathSegment[], depth: number, kind: string): PathError {
  const at = depth === 0 ? 'the message' : formatPath(segments.slice(0, depth));
  return new PathError(`cannot set ${formatPath(segments)}: ${at} is ${kind}`);
}

function describeKind(value: unknown): string {
  if (typeof value === 'object')
    return `an object of a special kind (${Object.prototype.toString.call(value).slice(8, -1)})`;
  // The value is shown cut: it may be a text of megabytes, and the message is for people.
  const text = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return `a ${typeof value} (${text.length > 40 ? `${text.slice(0, 37)}...` : text})`;
}
