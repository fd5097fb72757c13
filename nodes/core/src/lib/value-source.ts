import type { ContextStore, FlowState, Message } from '@tagflow/node-sdk';
import { deletePath, getPath, parsePath, PathError, setPath } from './message-path';
import type { PathSegment } from './message-path';

/**
 * Where a rule reads a value from, or writes it to: the message, a context scope (Node-RED's
 * `flow.` and `global.`, plus the node's own), or a runtime variable (Node-RED's `env`).
 */
export const PLACES = ['message', 'node', 'flow', 'global'] as const;
export type Place = (typeof PLACES)[number];

/** What reading and writing outside the message needs: the node's context and variables. */
export interface PlaceEnv {
  readonly context: FlowState;
  variable(name: string): string | undefined;
}

/** A parsed place: which store, and the path in it (for a context, the first step is the key). */
export interface Location {
  place: Place;
  path: PathSegment[];
  /** As the user wrote it, for messages: `flow.limits.high`. */
  label: string;
}

/** Parses `path` in `place`; throws a PathError naming the problem. */
export function locate(place: Place, path: string): Location {
  const segments = parsePath(path);
  if (place !== 'message' && typeof segments[0] !== 'string')
    throw new PathError(`a ${place} context path must start with a key name, not an index: "${path}"`);
  return { place, path: segments, label: place === 'message' ? path : `${place}.${path}` };
}

function store(env: PlaceEnv, place: Exclude<Place, 'message'>): ContextStore {
  return env.context[place];
}

/** The value at `at`, or undefined. */
export function readAt(at: Location, msg: Message, env: PlaceEnv | undefined): unknown {
  if (at.place === 'message') return getPath(msg, at.path);
  const [key, ...rest] = at.path;
  return getPath(store(needed(env), at.place).get(String(key)), rest);
}

/**
 * Writes `value` at `at`: for the message, returns the changed copy; for a context, stores the
 * changed copy of the key's value and returns `msg` itself. `undefined` removes.
 */
export function writeAt(at: Location, msg: Message, env: PlaceEnv | undefined, value: unknown): Message {
  if (at.place === 'message') return value === undefined ? deletePath(msg, at.path) : setPath(msg, at.path, value);
  const [key, ...rest] = at.path;
  const scope = store(needed(env), at.place);
  if (rest.length === 0) scope.set(String(key), value);
  else {
    const current = scope.get(String(key));
    scope.set(String(key), value === undefined ? deletePath(current, rest) : setPath(current, rest, value));
  }
  return msg;
}

function needed(env: PlaceEnv | undefined): PlaceEnv {
  // Only `check` compiles rules without a node context, and it never runs them.
  if (env === undefined) throw new Error('a context place was read outside a running node');
  return env;
}
