import type { Message } from '@tagflow/node-sdk';
import type { DataValue } from 'node-opcua';
import { qualityOf, statusName } from './status-quality';
import { fromVariant } from './variant-codec';

/** A message made from an OPC UA value: the usual fields plus where it came from. */
export interface OpcuaMessage extends Message {
  /** The node the value belongs to, e.g. `ns=1;s=Pump.Flow`. */
  readonly nodeId: string;
  /** The OPC UA status code's name, e.g. `Good`, `BadSensorFailure`. */
  readonly statusCode: string;
}

/**
 * Turns a DataValue into a message. The quality follows the status code's severity; a Bad value
 * is sent with `payload: null`, so a stale or meaningless number can never be taken for a good one.
 * The timestamp is the source timestamp (when the device measured it), else the server timestamp,
 * else `now`.
 */
export function dataValueMessage(value: DataValue, nodeId: string, topic: string, now: number): OpcuaMessage {
  const quality = qualityOf(value.statusCode);
  const timestamp = value.sourceTimestamp?.getTime() ?? value.serverTimestamp?.getTime() ?? now;
  return {
    payload: quality === 'bad' ? null : fromVariant(value.value),
    topic,
    timestamp: Number.isFinite(timestamp) ? timestamp : now,
    quality,
    nodeId,
    statusCode: statusName(value.statusCode),
  };
}
