import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Quality } from '@tagflow/node-sdk';
import type * as Protobuf from 'protobufjs';

/** Sparkplug B data type numbers (the specification's DataType enumeration), by name. */
export const DataType = {
  Unknown: 0,
  Int8: 1,
  Int16: 2,
  Int32: 3,
  Int64: 4,
  UInt8: 5,
  UInt16: 6,
  UInt32: 7,
  UInt64: 8,
  Float: 9,
  Double: 10,
  Boolean: 11,
  String: 12,
  DateTime: 13,
  Text: 14,
  UUID: 15,
  DataSet: 16,
  Bytes: 17,
  File: 18,
  Template: 19,
  PropertySet: 20,
  PropertySetList: 21,
} as const;

/** The data types a metric of sparkplug-out may be declared with. */
export const METRIC_TYPES = [
  'Int8',
  'Int16',
  'Int32',
  'Int64',
  'UInt8',
  'UInt16',
  'UInt32',
  'UInt64',
  'Float',
  'Double',
  'Boolean',
  'String',
  'DateTime',
  'Text',
] as const;

/** A data type name sparkplug-out can send. */
export type MetricTypeName = (typeof METRIC_TYPES)[number];

const TYPE_NAMES = new Map<number, string>(Object.entries(DataType).map(([name, n]) => [n, name]));

/** The name of a data type number (`Double` for 10), or `Unknown(n)`. */
export function dataTypeName(type: number): string {
  return TYPE_NAMES.get(type) ?? `Unknown(${type})`;
}

/** A property value (engineering units, quality...): a number, boolean or text. */
export type PropertyScalar = number | boolean | string;

/** One metric, as tagflow handles it on either side. */
export interface SparkplugMetric {
  name?: string;
  alias?: number;
  /** Milliseconds since the epoch. */
  timestamp?: number;
  /** A DataType number. */
  datatype?: number;
  isHistorical?: boolean;
  isTransient?: boolean;
  /**
   * The value: a number (an Int64/UInt64 beyond 2^53 is a decimal string), boolean, text, bytes;
   * null when the metric's is_null is set.
   */
  value: unknown;
  properties?: Record<string, PropertyScalar>;
}

/** A Sparkplug B payload. */
export interface SparkplugPayload {
  timestamp?: number;
  seq?: number;
  uuid?: string;
  metrics: SparkplugMetric[];
}

interface PayloadTypes {
  Payload: Protobuf.Type;
  /** protobufjs's 64-bit integer class, for uint64 values beyond 2^53. */
  Long: { fromString(text: string, unsigned: boolean): unknown };
}

let types: PayloadTypes | undefined;

/** The schema, loaded on first use from the package's proto/sparkplug-b.proto. */
function load(): PayloadTypes {
  if (types) return types;
  // Loaded here, not at import: the palette does not pay for protobufjs.
  const protobuf = require('protobufjs') as typeof Protobuf;
  // Field names as the specification spells them (is_null, int_value), not camel-cased.
  const source = readFileSync(path.join(__dirname, '..', 'proto', 'sparkplug-b.proto'), 'utf8');
  const { root } = protobuf.parse(source, { keepCase: true });
  types = {
    Payload: root.lookupType('tagflow.sparkplug.Payload'),
    Long: protobuf.util.Long as unknown as PayloadTypes['Long'],
  };
  return types;
}

/** Encodes a payload to the protobuf bytes of an MQTT message. */
export function encodePayload(payload: SparkplugPayload): Uint8Array {
  const { Payload, Long } = load();
  const wire: Record<string, unknown> = { metrics: payload.metrics.map((m) => wireMetric(m, Long)) };
  if (payload.timestamp !== undefined) wire.timestamp = payload.timestamp;
  if (payload.seq !== undefined) wire.seq = payload.seq;
  if (payload.uuid !== undefined) wire.uuid = payload.uuid;
  return Payload.encode(Payload.fromObject(wire)).finish();
}

/** Decodes the bytes of an MQTT message; throws on bytes that are not a Sparkplug B payload. */
export function decodePayload(bytes: Uint8Array): SparkplugPayload {
  const { Payload } = load();
  const wire = Payload.toObject(Payload.decode(bytes), { longs: String, bytes: Buffer, oneofs: false }) as Record<
    string,
    unknown
  >;
  const payload: SparkplugPayload = {
    metrics: ((wire.metrics as Array<Record<string, unknown>> | undefined) ?? []).map(plainMetric),
  };
  if (wire.timestamp !== undefined) payload.timestamp = Number(wire.timestamp);
  if (wire.seq !== undefined) payload.seq = Number(wire.seq);
  if (wire.uuid !== undefined) payload.uuid = wire.uuid as string;
  return payload;
}

function wireMetric(m: SparkplugMetric, Long: PayloadTypes['Long']): Record<string, unknown> {
  const w: Record<string, unknown> = {};
  if (m.name !== undefined) w.name = m.name;
  if (m.alias !== undefined) w.alias = m.alias;
  if (m.timestamp !== undefined) w.timestamp = m.timestamp;
  if (m.datatype !== undefined) w.datatype = m.datatype;
  if (m.isHistorical) w.is_historical = true;
  if (m.isTransient) w.is_transient = true;
  if (m.properties !== undefined && Object.keys(m.properties).length > 0) {
    const entries = Object.entries(m.properties);
    w.properties = { keys: entries.map(([k]) => k), values: entries.map(([, v]) => wireProperty(v)) };
  }
  if (m.value === null || m.value === undefined) {
    w.is_null = true;
    return w;
  }
  Object.assign(w, wireValue(m.datatype ?? DataType.Unknown, m.value, Long));
  return w;
}

/** The oneof field holding `value` for a metric of `datatype`. */
function wireValue(datatype: number, value: unknown, Long: PayloadTypes['Long']): Record<string, unknown> {
  switch (datatype) {
    case DataType.Int8:
    case DataType.Int16:
    case DataType.Int32:
      // Signed values travel as their two's complement in the unsigned 32-bit field.
      return { int_value: Number(value) >>> 0 };
    case DataType.UInt8:
    case DataType.UInt16:
      return { int_value: Number(value) >>> 0 };
    // UInt32 goes in the 64-bit field, as Eclipse Tahu (and so Ignition) writes and reads it; the
    // decoder below takes either field.
    case DataType.UInt32:
    case DataType.Int64:
    case DataType.UInt64:
    case DataType.DateTime: {
      const big = BigInt.asUintN(64, BigInt(typeof value === 'number' ? Math.trunc(value) : String(value)));
      return { long_value: Long.fromString(big.toString(), true) };
    }
    case DataType.Float:
      return { float_value: Number(value) };
    case DataType.Double:
      return { double_value: Number(value) };
    case DataType.Boolean:
      return { boolean_value: Boolean(value) };
    case DataType.Bytes:
    case DataType.File:
      return { bytes_value: value };
    default:
      return { string_value: typeof value === 'string' ? value : JSON.stringify(value) };
  }
}

function wireProperty(v: PropertyScalar): Record<string, unknown> {
  if (typeof v === 'boolean') return { type: DataType.Boolean, boolean_value: v };
  if (typeof v === 'string') return { type: DataType.String, string_value: v };
  if (Number.isInteger(v) && v >= -(2 ** 31) && v < 2 ** 31) return { type: DataType.Int32, int_value: v >>> 0 };
  return { type: DataType.Double, double_value: v };
}

function plainMetric(w: Record<string, unknown>): SparkplugMetric {
  const datatype = w.datatype === undefined ? undefined : Number(w.datatype);
  const m: SparkplugMetric = { value: w.is_null === true ? null : plainValue(datatype, w) };
  if (w.name !== undefined) m.name = w.name as string;
  if (w.alias !== undefined) m.alias = Number(w.alias);
  if (w.timestamp !== undefined) m.timestamp = Number(w.timestamp);
  if (datatype !== undefined) m.datatype = datatype;
  if (w.is_historical === true) m.isHistorical = true;
  if (w.is_transient === true) m.isTransient = true;
  const props = w.properties as { keys?: string[]; values?: Array<Record<string, unknown>> } | undefined;
  if (props?.keys !== undefined) {
    m.properties = {};
    props.keys.forEach((key, i) => {
      const v = props.values?.[i];
      if (v === undefined || v.is_null === true) return;
      const value = plainValue(v.type === undefined ? undefined : Number(v.type), v);
      if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'string')
        m.properties![key] = value;
    });
  }
  return m;
}

/** The value of a decoded metric or property, by its data type. */
function plainValue(datatype: number | undefined, w: Record<string, unknown>): unknown {
  if (w.int_value !== undefined) {
    const n = Number(w.int_value);
    if (datatype === DataType.Int8) return (n << 24) >> 24;
    if (datatype === DataType.Int16) return (n << 16) >> 16;
    if (datatype === DataType.Int32) return n | 0;
    return n;
  }
  if (w.long_value !== undefined) {
    const raw = BigInt(w.long_value as string);
    const big = datatype === DataType.Int64 ? BigInt.asIntN(64, raw) : raw;
    // A number where it is exact; beyond 2^53 the decimal text, so nothing is rounded.
    return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(big)
      : big.toString();
  }
  if (w.float_value !== undefined) return w.float_value;
  if (w.double_value !== undefined) return w.double_value;
  if (w.boolean_value !== undefined) return w.boolean_value;
  if (w.string_value !== undefined) return w.string_value;
  if (w.bytes_value !== undefined) return w.bytes_value;
  if (w.dataset_value !== undefined) return w.dataset_value;
  if (w.template_value !== undefined) return w.template_value;
  return null;
}

/** The data type sparkplug-out gives a value whose metric declares none. */
export function inferDataType(value: unknown): number {
  if (typeof value === 'boolean') return DataType.Boolean;
  if (typeof value === 'number') return DataType.Double;
  if (typeof value === 'bigint') return DataType.Int64;
  if (value instanceof Uint8Array) return DataType.Bytes;
  return DataType.String;
}

/**
 * The `Quality` property, as Ignition (MQTT Engine / Transmission) reads it: the OPC DA quality
 * codes, 192 good, 64 uncertain, 0 bad. Good values carry no property in DATA messages.
 */
export const QUALITY_CODES: Readonly<Record<Quality, number>> = { good: 192, uncertain: 64, bad: 0 };

/** The name of the quality property. */
export const QUALITY_PROPERTY = 'Quality';

/**
 * tagflow's quality for a `Quality` property value: OPC DA codes (192-255 good, 64-191
 * uncertain, 0-63 bad) and Ignition 8's 32-bit codes (level in the top two bits: 0 good,
 * 01 uncertain, 1x bad). No property means good.
 */
export function qualityFromCode(code: PropertyScalar | undefined): Quality {
  if (typeof code !== 'number') return 'good';
  const n = code >>> 0;
  if (n > 0xff) {
    const level = n >>> 30;
    return level === 0 ? 'good' : level === 1 ? 'uncertain' : 'bad';
  }
  if (n >= 192) return 'good';
  if (n >= 64) return 'uncertain';
  return 'bad';
}
