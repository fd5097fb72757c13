import { NodeError } from '@tagflow/node-sdk';
import { modbusErrors } from './error-codes';
import { isIntegerType } from './register-codec';
import type { DataType } from './register-codec';

/** Linear scaling of a tag: engineering value = raw * scale + offset. */
export interface Scaling {
  scale: number;
  offset: number;
}

/** Raw register value to engineering value. */
export function applyScaling(raw: number, { scale, offset }: Scaling): number {
  return raw * scale + offset;
}

/**
 * Engineering value back to the raw value to write. For integer types the result must be a whole
 * number (up to float noise, e.g. 21.5 / 0.1): rounding a setpoint silently would write a value
 * nobody asked for, so a value between two steps is refused.
 */
export function removeScaling(value: unknown, { scale, offset }: Scaling, type: DataType): unknown {
  if (typeof value !== 'number' || (scale === 1 && offset === 0)) return value;
  const raw = (value - offset) / scale;
  if (!isIntegerType(type) || !Number.isFinite(raw)) return raw;
  const whole = Math.round(raw);
  if (Math.abs(raw - whole) > 1e-6 * Math.max(1, Math.abs(whole))) {
    throw new NodeError(
      modbusErrors.code.VALUE_OUT_OF_RANGE,
      `${value} cannot be written exactly: with scale ${scale} and offset ${offset} it is the raw value ${raw}, and ${type} takes whole numbers only`,
      { value, raw },
    );
  }
  return whole;
}
