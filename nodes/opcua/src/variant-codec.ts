import { NodeError } from '@tagflow/node-sdk';
import {
  coerceInt64,
  coerceUInt64,
  DataType,
  Int64ToBigInt,
  LocalizedText,
  NodeId,
  QualifiedName,
  Variant,
  VariantArrayType,
} from 'node-opcua';
import { opcuaErrors } from './error-codes';
import { WRITABLE_TYPES } from './writable-types';
import type { WritableType } from './writable-types';

export { WRITABLE_TYPES } from './writable-types';
export type { WritableType } from './writable-types';

/** Inclusive ranges of the integer types; 64-bit ones are limited to what a JS number holds exactly. */
const INTEGER_RANGES: Partial<Record<WritableType, [number, number]>> = {
  SByte: [-128, 127],
  Byte: [0, 255],
  Int16: [-32768, 32767],
  UInt16: [0, 65535],
  Int32: [-2147483648, 2147483647],
  UInt32: [0, 4294967295],
  Int64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  UInt64: [0, Number.MAX_SAFE_INTEGER],
};

const FLOAT_MAX = 3.4028234663852886e38;

/**
 * Converts a value read from OPC UA into plain JSON-friendly JavaScript: numbers, booleans,
 * strings, arrays of those; DateTime as an ISO 8601 string; 64-bit integers as a number when exact,
 * else as a decimal string; LocalizedText as its text; QualifiedName and NodeId as text; ByteString
 * as base64; structures (ExtensionObject) as their JSON form.
 */
export function fromVariant(variant: Variant | null | undefined): unknown {
  if (!variant || variant.dataType === DataType.Null) return null;
  const { dataType, arrayType } = variant;
  const value: unknown = variant.value;
  if (arrayType !== VariantArrayType.Scalar) {
    if (value === null || value === undefined) return null;
    // Typed arrays (Float64Array...) become plain arrays, which JSON and deep equality understand.
    return Array.from(value as ArrayLike<unknown>, (element) => fromScalar(dataType, element));
  }
  return fromScalar(dataType, value);
}

function fromScalar(dataType: DataType, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (dataType) {
    case DataType.DateTime:
      return value instanceof Date && !Number.isNaN(value.getTime()) ? value.toISOString() : null;
    case DataType.Int64:
    case DataType.UInt64: {
      const big =
        dataType === DataType.Int64
          ? Int64ToBigInt(value as [number, number])
          : uint64ToBigInt(value as [number, number]);
      return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER)
        ? Number(big)
        : big.toString();
    }
    case DataType.LocalizedText:
      return (value as LocalizedText).text ?? null;
    case DataType.QualifiedName:
    case DataType.NodeId:
    case DataType.ExpandedNodeId:
    case DataType.Guid:
    case DataType.XmlElement:
      return String(value);
    case DataType.StatusCode:
      return (value as { name: string }).name;
    case DataType.ByteString:
      return Buffer.isBuffer(value) ? value.toString('base64') : null;
    case DataType.ExtensionObject:
      return typeof (value as { toJSON?: () => unknown }).toJSON === 'function'
        ? (value as { toJSON: () => unknown }).toJSON()
        : value;
    default:
      return value;
  }
}

function uint64ToBigInt([high, low]: [number, number]): bigint {
  return (BigInt(high >>> 0) << 32n) + BigInt(low >>> 0);
}

/** The name of a DataType enum value (`Double`), for messages. */
export function dataTypeName(dataType: DataType): string {
  return DataType[dataType] ?? `DataType ${dataType}`;
}

/** Whether `dataType` (a DataType enum value) is one `toVariant` can write; returns its name if so. */
export function writableTypeName(dataType: DataType): WritableType | undefined {
  const name = DataType[dataType] as string | undefined;
  return (WRITABLE_TYPES as readonly string[]).includes(name ?? '') ? (name as WritableType) : undefined;
}

/**
 * Builds the Variant to write `value` as `dataType`, checking it first: a value of the wrong type or
 * out of the type's range is refused with a NodeError (`OPCUA_WRITE_VALUE`) saying what was
 * expected, rather than being coerced into something the operator did not mean. Arrays are written
 * as arrays (each element checked); `array: true` requires one.
 */
export function toVariant(value: unknown, dataType: WritableType, target: string, array = false): Variant {
  const type = DataType[dataType as keyof typeof DataType];
  if (Array.isArray(value)) {
    const elements = value.map((element, i) => toScalar(element, dataType, `${target}[${i}]`));
    return new Variant({ dataType: type, arrayType: VariantArrayType.Array, value: elements });
  }
  if (array) throw refuse(target, value, `an array of ${dataType}`);
  return new Variant({ dataType: type, arrayType: VariantArrayType.Scalar, value: toScalar(value, dataType, target) });
}

function toScalar(value: unknown, dataType: WritableType, target: string): unknown {
  const range = INTEGER_RANGES[dataType];
  if (range) {
    if (typeof value !== 'number' || !Number.isInteger(value)) throw refuse(target, value, `an integer (${dataType})`);
    if (value < range[0] || value > range[1])
      throw refuse(target, value, `${dataType} in the range ${range[0]}..${range[1]}`);
    if (dataType === 'Int64') return coerceInt64(value);
    if (dataType === 'UInt64') return coerceUInt64(value);
    return value;
  }
  switch (dataType) {
    case 'Boolean':
      if (typeof value !== 'boolean') throw refuse(target, value, 'true or false (Boolean)');
      return value;
    case 'Float':
      if (typeof value !== 'number' || !Number.isFinite(value)) throw refuse(target, value, 'a finite number (Float)');
      if (Math.abs(value) > FLOAT_MAX) throw refuse(target, value, `Float in the range ±${FLOAT_MAX}`);
      return value;
    case 'Double':
      if (typeof value !== 'number' || !Number.isFinite(value)) throw refuse(target, value, 'a finite number (Double)');
      return value;
    case 'String':
      if (typeof value !== 'string') throw refuse(target, value, 'a text (String)');
      return value;
    case 'LocalizedText':
      if (typeof value !== 'string') throw refuse(target, value, 'a text (LocalizedText)');
      return new LocalizedText({ text: value });
    case 'DateTime': {
      // ISO text (what reads produce), a Date, or milliseconds since the epoch.
      const date = typeof value === 'string' || typeof value === 'number' ? new Date(value) : value;
      if (!(date instanceof Date) || Number.isNaN(date.getTime()) || typeof value === 'boolean') {
        throw refuse(target, value, 'an ISO 8601 date-time text or milliseconds since 1970 (DateTime)');
      }
      return date;
    }
    default:
      throw refuse(target, value, `a type tagflow can write (${WRITABLE_TYPES.join(', ')})`);
  }
}

function refuse(target: string, value: unknown, expected: string): NodeError {
  let shown: string;
  try {
    shown = JSON.stringify(value) ?? String(value);
  } catch {
    // A value JSON cannot show (a cycle, a BigInt) is still named by its type.
    shown = `a ${typeof value}`;
  }
  return new NodeError(
    opcuaErrors.code.OPCUA_WRITE_VALUE,
    `cannot write ${shown.slice(0, 60)} to ${target}: expected ${expected}`,
    {
      value: shown,
      expected,
    },
  );
}

/** The text form of a NodeId, as users write it (`ns=1;s=Pump.Flow`). */
export function nodeIdText(nodeId: NodeId): string {
  return nodeId.toString();
}

/** A QualifiedName as `name` (namespace 0) or `ns:name`. */
export function qualifiedNameText(name: QualifiedName): string {
  return name.namespaceIndex === 0 ? (name.name ?? '') : `${name.namespaceIndex}:${name.name ?? ''}`;
}
