import { defineNode, isNodeError, NodeError, refuseConfig } from '@tagflow/node-sdk';
import type { Message, Quality } from '@tagflow/node-sdk';
import { modbusErrors } from './error-codes';
import type { ModbusConnection } from './modbus-connection';
import { decodeRegisters } from './register-codec';
import type { TagValue } from './register-codec';
import { isBitTable, MAX_BITS_PER_REQUEST, MAX_REGISTERS_PER_REQUEST, planReads } from './read-plan';
import type { ReadRequest } from './read-plan';
import { readConfigProblems } from './read-config';
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
    'Polls tags (coils, inputs, registers) from a Modbus device at an interval, batching neighbours into few requests.',
  docs: [
    'Polls a list of tags from a `modbus-device` every `intervalMs` and sends their values.',
    '',
    '## Reading tags',
    '',
    'Each tag names a data table (`function`), a **0-based protocol address** (holding register 40001',
    'is 0, 40108 is 107, input register 30001 is 0, coil 00001 is 0) and a data type: `bool` for coils',
    'and discrete inputs, else `uint16` unless `type` says otherwise; 32-bit types span 2 registers,',
    '`float64` 4, a `string` `length` registers (2 characters each; the text stops at the first NUL).',
    '`order` is the byte order of 32/64-bit values: `ABCD` big-endian, `CDAB` word-swapped, `BADC`',
    'byte-swapped, `DCBA` little-endian; for 16-bit values and strings `BADC`/`DCBA` swap the two',
    'bytes of each register. Numbers are scaled: value = raw * `scale` + `offset`.',
    '',
    'Tags of the same table are read together when they are near each other: sorted by address, a tag',
    'joins the current request if the hole before it is at most `maxGap` and the request stays within',
    'the size limit; a value is never split across two requests. Invalid combinations (a `float32`',
    'coil, a `bool` register, a string without `length`, a value running past address 65535, duplicate',
    'names) refuse the deploy with a `MODBUS_CONFIG` error saying which tag and why.',
    '',
    '## What it sends',
    '',
    'With `output: "per-tag"`, one message per tag, in the order of `tags`:',
    '',
    '```json',
    '{ "payload": 22.5, "topic": "boiler/temp", "unit": "degC", "timestamp": 1767254400123, "quality": "good" }',
    '{ "payload": null, "topic": "boiler/temp", "unit": "degC", "timestamp": 1767254401430, "quality": "bad", "readError": "10.0.0.5:502 unit 1 did not answer within 1000 ms (read 12 input-registers at 0)" }',
    '```',
    '',
    'With `output: "object"`, one message per poll (topic = the node\'s name, else its id):',
    '',
    '```json',
    '{',
    '  "payload": { "tank1/level": 51.2, "pump1/running": true },',
    '  "topic": "read",',
    '  "units": { "tank1/level": "%" },',
    '  "timestamp": 1767254400123,',
    '  "quality": "good",',
    '  "qualities": { "tank1/level": "good", "pump1/running": "good" }',
    '}',
    '```',
    '',
    '`qualities` holds the quality of each tag; `quality` is the worst of them. A historian stores',
    'each tag with its own quality, so one failed tag does not mark the good values of its poll bad.',
    '',
    "`timestamp` is when the device's answer arrived (for an object, the latest answer of the poll).",
    '',
    '## When a read fails',
    '',
    'When a read fails (timeout, Modbus exception, not connected) the tags it covered are sent with',
    '`quality: "bad"`, `payload: null` and `readError` (in object mode: the failed tags are `null` and',
    '`bad` in `qualities`, the others keep their value and `good`, the message is bad and carries the',
    'first `readError`): never the last value marked good. A float',
    'register holding NaN or infinity (how many devices flag a faulty sensor) is sent the same way,',
    'bad with `readError: "<tag>: the device reports NaN, which is no measurement"`. After a timeout',
    'or a lost connection the rest of that poll is not tried (it would only wait again); after a',
    'Modbus exception the other requests go on. The status shows the error (`read failed (1 of 3',
    'tags): ...`), and the error is reported (error port, catch nodes, log) once per streak of the same',
    'failure rather than at every poll. While the device is reconnecting a poll waits for the',
    'connection up to half the interval (at most 2 s), then reports the tags bad. The first poll after',
    'a deploy waits up to 2 s whatever the interval: a deploy connects in the background, and a device',
    'that is reachable should not start with a burst of bad values (polls due meanwhile are not counted',
    'as skipped).',
    '',
    'A poll still running when the next one is due makes that one skip; the status counts skipped',
    'polls. So does a flow that cannot take more: while a node downstream has a full input queue',
    'under overflow `block` (a publisher whose buffer is full during an outage, a slow database),',
    'polls that come due are skipped, not read. Every skipped poll is counted in the status',
    '(`· N skipped`, added by the runtime) and in /metrics as `tagflow_source_skipped_total` with',
    '`reason="busy"` (the previous poll still running) or `reason="held"` (the flow was full).',
    '',
    '## Example',
    '',
    "A flow meter's float (word-swapped), its totaliser and the device's serial number, twice a",
    'second, as one object per poll:',
    '',
    '```json',
    '{',
    '  "id": "read",',
    '  "type": "modbus-read",',
    '  "typeVersion": 1,',
    '  "config": {',
    '    "device": "plc",',
    '    "intervalMs": 500,',
    '    "output": "object",',
    '    "tags": [',
    '      { "name": "flow", "function": "input-register", "address": 0, "type": "float32", "order": "CDAB", "unit": "m3/h" },',
    '      { "name": "total", "function": "input-register", "address": 2, "type": "uint32", "scale": 0.001, "unit": "m3" },',
    '      { "name": "serial", "function": "holding-register", "address": 200, "type": "string", "length": 8 }',
    '    ]',
    '  }',
    '}',
    '```',
  ].join('\n'),
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
        description: 'Id of the modbus-device resource to read from.',
        minLength: 1,
        'x-ui': { label: 'Device', widget: 'resource', resourceType: 'modbus-device' },
      },
      intervalMs: {
        type: 'integer',
        description:
          'Time between polls. A poll still running when the next is due makes that one skip (counted in the status).',
        default: 1000,
        minimum: 10,
        'x-ui': { label: 'Poll every', unit: 'ms' },
      },
      output: {
        description:
          'per-tag: one message per tag (topic = tag name); object: one message per poll with payload { tagName: value }.',
        default: 'per-tag',
        enum: ['per-tag', 'object'],
        'x-ui': { label: 'Output' },
      },
      maxGap: {
        type: 'integer',
        description:
          'Unused registers (or bits) one request may read between two tags to save a request. 0 for devices that refuse reads of addresses they lack.',
        default: 10,
        minimum: 0,
        maximum: 1999,
        'x-ui': { label: 'Bridge gaps up to' },
      },
      maxRegistersPerRequest: {
        type: 'integer',
        description: 'Most registers one read asks for: the protocol allows 125; some devices take fewer.',
        default: MAX_REGISTERS_PER_REQUEST,
        minimum: 1,
        maximum: MAX_REGISTERS_PER_REQUEST,
        'x-ui': { label: 'Registers per request', advanced: true },
      },
      maxBitsPerRequest: {
        type: 'integer',
        description: 'Most coils or inputs one read asks for: the protocol allows 2000; some devices take fewer.',
        default: MAX_BITS_PER_REQUEST,
        minimum: 1,
        maximum: MAX_BITS_PER_REQUEST,
        'x-ui': { label: 'Bits per request', advanced: true },
      },
      tags: {
        type: 'array',
        description: 'The values to read.',
        minItems: 1,
        items: {
          type: 'object',
          properties: {
            name: {
              type: 'string',
              description: 'Tag name, unique in the node: the message topic (per-tag) or the payload key (object).',
              minLength: 1,
              'x-ui': { label: 'Name' },
            },
            function: {
              description:
                'Data table: coil (FC 1), discrete-input (FC 2), holding-register (FC 3), input-register (FC 4).',
              enum: ['coil', 'discrete-input', 'holding-register', 'input-register'],
              'x-ui': { label: 'Table' },
            },
            ...layoutSchema,
            unit: {
              type: 'string',
              description: 'Engineering unit carried in the message, e.g. degC, bar, m3/h.',
              'x-ui': { label: 'Unit' },
            },
          },
          required: ['name', 'function', 'address'],
          additionalProperties: false,
        },
        'x-ui': { label: 'Tags', widget: 'table' },
      },
    },
    required: ['device', 'tags'],
    additionalProperties: false,
  },

  check: readConfigProblems,

  create(ctx) {
    const c = ctx.config;
    const device = ctx.resource<ModbusConnection>(c.device);
    refuseConfig(readConfigProblems(c));
    const tags: Tag[] = c.tags.map((t) => ({ ...resolveLayout(`tag "${t.name}"`, t), name: t.name, unit: t.unit }));
    const limits = { maxGap: c.maxGap, maxRegisters: c.maxRegistersPerRequest, maxBits: c.maxBitsPerRequest };
    let plan: Array<ReadRequest<Tag>>;
    try {
      plan = planReads(tags, limits);
    } catch (err) {
      throw new NodeError(modbusErrors.code.MODBUS_CONFIG, (err as Error).message);
    }
    const topic = ctx.name ?? ctx.id;
    let polling: Promise<void> | undefined;
    let firstPoll = true;
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
      // The first poll gives the deploy's first connection (and a quick retry) the time to come up.
      const timer = ctx.clock.setTimeout(() => abort.abort(), firstPoll ? 2000 : Math.min(c.intervalMs / 2, 2000));
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
      firstPoll = false;
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
        // Each tag's own quality, so that a consumer (a historian) keeps the good values good.
        const qualities: Record<string, Quality> = {};
        let firstError: Error | undefined;
        let timestamp = 0;
        for (const tag of tags) {
          const r = readings.get(tag) as Reading;
          payload[tag.name] = 'value' in r ? r.value : null;
          qualities[tag.name] = 'value' in r ? 'good' : 'bad';
          if ('error' in r) firstError ??= r.error;
          timestamp = Math.max(timestamp, r.timestamp);
        }
        const units = Object.fromEntries(tags.filter((t) => t.unit !== undefined).map((t) => [t.name, t.unit]));
        const msg: Message = firstError
          ? { payload, topic, timestamp, quality: 'bad', qualities, units, readError: firstError.message }
          : { payload, topic, timestamp, quality: 'good', qualities, units };
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
      if (failed.length === 0) {
        lastErrorText = undefined;
        show(
          'ok',
          `${tags.length} tag${tags.length === 1 ? '' : 's'} in ${plan.length} request${plan.length === 1 ? '' : 's'} per poll`,
        );
        return;
      }
      const error = failed[0].error;
      show('error', `read failed (${failed.length} of ${tags.length} tags): ${error.message}`);
      // Reported once per streak of the same failure: every poll would flood the error log.
      if (error.message !== lastErrorText) {
        lastErrorText = error.message;
        ctx.error(error);
      }
    };

    const tick = () => {
      if (ctx.signal.aborted) return;
      if (polling) {
        if (!firstPoll) ctx.skipped('busy');
        return;
      }
      // A poller cannot be held back: while the flow downstream is full (overflow `block`), the
      // poll is skipped and counted rather than read and sent into a queue that would drop it.
      if (ctx.held) {
        ctx.skipped('held');
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
