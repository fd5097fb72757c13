import type { Quality } from '@tagflow/node-sdk';
import type { StatusCode } from 'node-opcua';

/**
 * The message quality an OPC UA status code stands for. The severity is the top two bits of the
 * code (OPC UA Part 4, 7.39): 00 Good, 01 Uncertain, 10 Bad (11 is reserved: treated as Bad, so an
 * unknown code can never pass as a good value).
 */
export function qualityOf(status: StatusCode | number): Quality {
  const code = typeof status === 'number' ? status : status.value;
  switch (code >>> 30) {
    case 0:
      return 'good';
    case 1:
      return 'uncertain';
    default:
      return 'bad';
  }
}

/** The status code's name, e.g. `Good`, `UncertainLastUsableValue`, `BadSensorFailure`. */
export function statusName(status: StatusCode): string {
  return status.name;
}

/** A status for error messages: `BadTypeMismatch (The value supplied for the attribute is not of the same type...)`. */
export function describeStatus(status: StatusCode): string {
  return status.description ? `${status.name} (${status.description})` : status.name;
}
