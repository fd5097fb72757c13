import { defineNode, isNodeError, NodeError } from '@tagflow/node-sdk';
import type { Message } from '@tagflow/node-sdk';
import { modbusErrors } from './error-codes';
import type { ModbusConnection } from './modbus-connection';
import { decodeRegisters } from './register-codec';
import type { TagValue } from './register-codec';
import { isBitTable, MAX_BITS_PER_REQUEST, MAX_REGISTERS_PER_REQUEST, planReads } from './read-plan';
import type { ReadRequest } from './read-plan';
import { layoutSchema, resolveLayout } from './tag-config';
import type { ResolvedLayout } from './tag-config';
import { applyScaling } from './tag-scaling';

/** A configured tag, ready to plan and decode. */
interface Tag extends ResolvedLayout {
  name: string;
  unit?: string;
}

/** What one poll learnt about one tag. */
type Reading = { value: TagValue; timestamp: number } | { error: Error; timestamp: number };

// Errors after which the rest of a poll would only wait for the same timeout again.
const DEVICE_GONE = new Set<string>([modbusErrors.code.MODBUS_TIMEOUT, modbusErrors.code.MODBUS_DISCONNECTED]);

export default defineNode({
  type: 'modbus-read',
  version: 1,
  category: 'source',
  description:
    'Polls tags (coils, inputs, registers) from a Modbus device at an interval, batching neighbours into few requests',
  inputs: [],
  outputs: ['out'],
  resources: { device: 'modbus-device' },
  errors: modbusErrors.pick(
    'MODBUS_CONFIG',
    'MODBUS_DISCONNECTED',
    'MODBUS_TIMEOUT',
    'MODBUS_EXCEPTION',
    'MODBUS_ERROR',
    'MODBUS_NOT_A_NUMBER',
  ),
  configSchema: {
    type: 'object',
    properties: {
      device: {
        type: 'string',
        minLength: 1,
        description: 'Id of the modbus-device resource.',
        'x-ui': { widget: 'resource', resourceType: 'modbus-device' },
      },
      intervalMs: {
        type: 'integer',
        minimum: 10,
        default: 1000,
        description:
          'Time between polls. A poll still running when the next is due makes that one skip (counted in the status).',
        'x-ui': { label: 'Poll every', unit: 'ms' },
      },
      output: {
        enum: ['per-tag', 'object'],
        default: 'per-tag',
        description:
          'per-tag: one message per tag (topic = tag name); object: one message per poll with payload { tagName: value }.',
        'x-ui': { label: 'Output' },
      },
      maxGap: {
        type: 'integer',
        minimum: 0,
        maximum: 1999,
        default: 10,
        description:
          'Unused registers (or bits) one request may read between two tags to save a request. 0 for devices that refuse reads of addresses they lack.',
        'x-ui': { label: 'Bridge gaps up to' },
      },
      maxRegistersPerRequest: {
        type: 'integer',
        minimum: 1,
        maximum: MAX_REGISTERS_PER_REQUEST,
        default: MAX_REGISTERS_PER_REQUEST,
        description: 'Protocol limit 125; some devices take fewer.',
      },
      maxBitsPerRequest: {
        type: 'integer',
        minimum: 1,
        maximum: MAX_BITS_PER_REQUEST,
        default: MAX_BITS_PER_REQUEST,
        description: 'Protocol limit 2000; some devices take fewer.',
      },
      tags: {
        type: 'array',
        minItems: 1,
        description: 'The values to read.',
        'x-ui': { widget: 'table' },
        items: {
          type: 'object',
          properties: {
            name: {
              type: 'string',
              minLength: 1,
              description: 'Tag name: the message topic (per-tag) or the payload key (object).',
            },
            function: {
              enum: ['coil', 'discrete-input', 'holding-register', 'input-register'],
              description:
                'Data table: coil (FC 1), discrete-input (FC 2), holding-register (FC 3), input-register (FC 4).',
              'x-ui': { label: 'Table' },
            },
            ...layoutSchema,
            unit: { type: 'string', description: 'Engineering unit carried in the message, e.g. degC, bar, m3/h.' },
          },
          required: ['name', 'function', 'address'],
          additionalProperties: false,
        },
      },
    },
    required: ['device', 'tags'],
    additionalProperties: false,
  },

  create(ctx) {
    const c = ctx.config;
    const device = ctx.resource<ModbusConnection>(c.device);
    const seen = new Set<string>();
    const tags: Tag[] = c.tags.map((t) => {
      if (seen.has(t.name))
        throw new NodeError(
          modbusErrors.code.MODBUS_CONFIG,
          `two tags are named "${t.name}": names must be unique, they become topics and keys`,
        );
      seen.add(t.name);
      return { ...resolveLayout(`tag "${t.name}"`, t), name: t.name, unit: t.unit };
    });
    const limits = { maxGap: c.maxGap, maxRegisters: c.maxRegistersPerRequest, maxBits: c.maxBitsPerRequest };
    let plan: Array<ReadRequest<Tag>>;
    try {
      plan = planReads(tags, limits);
    } catch (err) {
      throw new NodeError(modbusErrors.code.MODBUS_CONFIG, (err as Error).message);
    }
    const topic = ctx.name ?? ctx.id;
    let polling: Promise<void> | undefined;
    let skipped = 0;
    let lastErrorText: string | undefined;
    let shownStatus = '';

    const show = (state: 'ok' | 'error', text: string) => {
      if (text === shownStatus) return;
      shownStatus = text;
      ctx.status({ state, text });
    };

    /** The live connection, waiting briefly for one being made (a deploy connects in the background). */
    const connection = async (): Promise<ModbusConnection | undefined> => {
      if (device.current) return device.current;
      const abort = new AbortController();
      const onStop = () => abort.abort();
      ctx.signal.addEventListener('abort', onStop, { once: true });
      const timer = ctx.clock.setTimeout(() => abort.abort(), Math.min(c.intervalMs / 2, 2000));
      try {
        return await device.ready(abort.signal);
      } catch {
        // Not connected within the wait: this poll reports the tags bad.
        return undefined;
      } finally {
        timer.cancel();
        ctx.signal.removeEventListener('abort', onStop);
      }
    };

    const readRequest = async (conn: ModbusConnection, request: ReadRequest<Tag>, readings: Map<Tag, Reading>) => {
      if (isBitTable(request.table)) {
        const bits = await conn.readBits(request.table, request.address, request.count);
        const timestamp = ctx.clock.now();
        for (const { tag, offset } of request.tags) readings.set(tag, { value: bits[offset], timestamp });
      } else {
        const words = await conn.readRegisters(request.table, request.address, request.count);
        const timestamp = ctx.clock.now();
        for (const { tag, offset } of request.tags) {
          const raw = decodeRegisters(words.slice(offset, offset + tag.count), tag);
          if (typeof raw === 'number' && !Number.isFinite(raw)) {
            // Devices write NaN or infinity into a float register to signal a fault: not a value.
            readings.set(tag, {
              error: new NodeError(
                modbusErrors.code.MODBUS_NOT_A_NUMBER,
                `${tag.name}: the device reports ${raw}, which is no measurement`,
              ),
              timestamp,
            });
            continue;
          }
          readings.set(tag, { value: typeof raw === 'number' ? applyScaling(raw, tag) : raw, timestamp });
        }
      }
    };

    const poll = async () => {
      const readings = new Map<Tag, Reading>();
      const conn = await connection();
      let deviceGone: Error | undefined = conn
        ? undefined
        : new NodeError(modbusErrors.code.MODBUS_DISCONNECTED, `not connected to the Modbus device "${c.device}"`);
      for (const request of plan) {
        // Closing: the rest of the poll would only delay the close.
        if (ctx.signal.aborted) return;
        try {
          if (deviceGone) throw deviceGone;
          await readRequest(conn as ModbusConnection, request, readings);
        } catch (err) {
          const error = err instanceof Error ? err : new Error(String(err));
          for (const { tag } of request.tags) readings.set(tag, { error, timestamp: ctx.clock.now() });
          if (isNodeError(error) && DEVICE_GONE.has(error.code)) deviceGone = error;
        }
      }
      if (ctx.signal.aborted) return;
      emit(readings);
      report(readings);
    };

    const emit = (readings: Map<Tag, Reading>) => {
      if (c.output === 'object') {
        const payload: Record<string, TagValue | null> = {};
        let firstError: Error | undefined;
        let timestamp = 0;
        for (const tag of tags) {
          const r = readings.get(tag) as Reading;
          payload[tag.name] = 'value' in r ? r.value : null;
          if ('error' in r) firstError ??= r.error;
          timestamp = Math.max(timestamp, r.timestamp);
        }
        const units = Object.fromEntries(tags.filter((t) => t.unit !== undefined).map((t) => [t.name, t.unit]));
        const msg: Message = firstError
          ? { payload, topic, timestamp, quality: 'bad', units, readError: firstError.message }
          : { payload, topic, timestamp, quality: 'good', units };
        ctx.send(msg);
        return;
      }
      for (const tag of tags) {
        const r = readings.get(tag) as Reading;
        // A failed read is sent as bad with no value: a stale number marked good would be a lie.
        const msg: Message =
          'value' in r
            ? { payload: r.value, topic: tag.name, timestamp: r.timestamp, quality: 'good' }
            : { payload: null, topic: tag.name, timestamp: r.timestamp, quality: 'bad', readError: r.error.message };
        ctx.send(tag.unit === undefined ? msg : { ...msg, unit: tag.unit });
      }
    };

    const report = (readings: Map<Tag, Reading>) => {
      const failed = [...readings.values()].filter((r): r is Extract<Reading, { error: Error }> => 'error' in r);
      const skippedText = skipped > 0 ? `, ${skipped} poll${skipped === 1 ? '' : 's'} skipped (still busy)` : '';
      if (failed.length === 0) {
        lastErrorText = undefined;
        show(
          'ok',
          `${tags.length} tag${tags.length === 1 ? '' : 's'} in ${plan.length} request${plan.length === 1 ? '' : 's'} per poll${skippedText}`,
        );
        return;
      }
      const error = failed[0].error;
      show('error', `read failed (${failed.length} of ${tags.length} tags): ${error.message}${skippedText}`);
      // Reported once per streak of the same failure: every poll would flood the error log.
      if (error.message !== lastErrorText) {
        lastErrorText = error.message;
        ctx.error(error);
      }
    };

    const tick = () => {
      if (ctx.signal.aborted) return;
      if (polling) {
        skipped++;
        return;
      }
      polling = poll()
        .catch((err: unknown) => ctx.error(err))
        .finally(() => (polling = undefined));
    };

    return {
      start() {
        ctx.clock.setInterval(tick, c.intervalMs);
        tick();
      },
      async close() {
        await polling;
      },
    };
  },
});
