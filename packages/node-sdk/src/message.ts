/**
 * Messages are immutable by convention: a node never changes a message it received, it sends a new
 * one (`{ ...msg, payload: x }`). The engine relies on this to fan out without cloning: every
 * receiver of a message gets the same object. A message belongs to nobody once sent.
 */

/** Data quality, as OPC UA status codes classify it. A failed read is `bad`, never a good number. */
export type Quality = 'good' | 'uncertain' | 'bad';

/** What flows along an edge. Familiar to Node-RED users (`payload`, `topic`), fit for OT data. */
export interface Message<P = unknown> {
  /** The value: a number from a sensor, an object from a poll, an alarm event... */
  readonly payload: P;
  /** Tag name or MQTT topic, e.g. `pump3/flow`. */
  readonly topic?: string;
  /** When the value was measured at the source, in milliseconds since the Unix epoch. */
  readonly timestamp: number;
  /** Whether the value can be trusted; processors keep the worst quality of their inputs. */
  readonly quality: Quality;
  /**
   * For an object payload holding several values (one poll of many tags): the quality of each key,
   * e.g. `{ "tank1/level": "good", "pump1/running": "bad" }`. A key it does not list has the
   * message's `quality`, which stays the worst of them all, so a consumer that ignores this field
   * errs on the safe side. Read it with `qualityOf(msg, key)`. Meaningless for other payloads: a
   * node that replaces an object payload with something else should drop it.
   */
  readonly qualities?: Readonly<Record<string, Quality>>;
  /** Present on messages delivered to an `error` port or to catch nodes. */
  readonly error?: ErrorInfo;
  /** Further fields are allowed (Node-RED habit); they pass through processors unchanged. */
  readonly [field: string]: unknown;
}

/** Describes a failure, attached to the message that caused it when routed to error handling. */
export interface ErrorInfo {
  /** Plain-words description. */
  readonly message: string;
  /** Stable machine-readable code for NodeErrors (e.g. `NOT_A_NUMBER`); `UNEXPECTED` otherwise. */
  readonly code: string;
  /** The node that failed. */
  readonly nodeId: string;
  readonly nodeType: string;
  /** Stack trace of unexpected errors (not of NodeErrors, which are user-facing). */
  readonly stack?: string;
  /** How many error-handling hops led here; the engine stops an error loop past a limit. */
  readonly depth: number;
}

/** Builds a message with `timestamp` now and quality `good` unless given. */
export function createMessage<P>(payload: P, fields?: Partial<Omit<Message<P>, 'payload'>>): Message<P> {
  return { timestamp: Date.now(), quality: 'good', ...fields, payload };
}

/**
 * A copy of `msg` with `fields` set, for adding fields the message may not have. To replace fields
 * it already has, `{ ...msg, payload }` is fastest; but adding a new field right after a spread
 * falls off a V8 fast path on Node.js 20 (the README's Performance section has the cost), which
 * this avoids.
 */
export function deriveMessage<P = unknown>(
  msg: Message,
  fields: Partial<Message<P>> & Record<string, unknown>,
): Message<P> {
  return Object.assign({}, msg, fields) as Message<P>;
}

/**
 * The quality of one key of an object payload: its entry in `msg.qualities`, else the message's
 * quality. `qualityOf({ payload: { a: 1, b: null }, quality: 'bad', qualities: { a: 'good', b: 'bad' } }, 'a')` is `good`.
 */
export function qualityOf(msg: Message, key: string): Quality {
  const own = msg.qualities !== undefined && Object.hasOwn(msg.qualities, key) ? msg.qualities[key] : undefined;
  return own === 'good' || own === 'uncertain' || own === 'bad' ? own : msg.quality;
}

/** Orders qualities from worst to best, so processors can keep the worst of their inputs. */
export function worstQuality(a: Quality, b: Quality): Quality {
  if (a === 'bad' || b === 'bad') return 'bad';
  if (a === 'uncertain' || b === 'uncertain') return 'uncertain';
  return 'good';
}
