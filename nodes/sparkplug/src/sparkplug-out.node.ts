import { ackSent, defineNode, NodeError, outboxOverflowProperty, qualityOf } from '@tagflow/node-sdk';
import type { Message, Quality } from '@tagflow/node-sdk';
import type { BirthMetric, DataValue, DeviceSource, EdgeNodeSession } from './edge-session';
import { sparkplugErrors } from './error-codes';
import { DataType, METRIC_TYPES, inferDataType } from './payload-codec';
import type { PropertyScalar } from './payload-codec';
import { idProblem } from './topics';

/** What the outbox holds: one value of one metric, as received. */
interface PendingValue {
  device: string;
  metric: string;
  datatype: number;
  value: unknown;
  timestamp: number;
  quality: Quality;
  /** When the node received it: older than the session's birth means stored, so historical. */
  at: number;
}

/** Values taken from the outbox at a time (one DDATA per device among them). */
const BATCH = 200;

export default defineNode({
  type: 'sparkplug-out',
  version: 1,
  category: 'publisher',
  description: 'Publishes each message as a metric of a Sparkplug B device (DBIRTH, then DDATA); stores while offline.',
  docs: [
    'Sends the values of one or more devices of a `sparkplug-edge-node`: each message is one metric',
    'value (or, with an object payload and no metric name, one value per key).',
    '',
    '## Which device and metric',
    '',
    "- The device is `device` in the config, else the message's `device` field.",
    "- The metric is `metric` in the config, else the message's `topic` (`pump3/flow`: metric names",
    '  may hold `/`, Ignition shows them as folders). With neither and an object payload, each key is',
    '  a metric (`{"flow": 41.7, "running": true}`), with its quality from `msg.qualities`.',
    '',
    'A message naming no device or metric is an error (`SPARKPLUG_METRIC`), and so is a value that',
    "does not fit its metric's data type (text for a `Double`).",
    '',
    '## What it sends',
    '',
    'Sparkplug B messages on `spBv1.0/<group>/DBIRTH|DDATA|DDEATH/<edge node>/<device>`, through the',
    "edge node's connection (it has no output port). DDEATH goes out when the node is removed by a",
    'deploy or the flow stops.',
    '',
    '### Birth certificates, aliases and data types',
    '',
    "A device's DBIRTH lists every metric declared in `metrics` and every metric seen so far, each",
    'with its alias (unique in the edge node), data type, latest value (null before the first one)',
    'and properties: `Quality` and, when declared, `engUnit` and any `properties`. A metric that',
    'appears later makes the device publish its DBIRTH again. DDATA then carries aliases only, with',
    'the data type and the source timestamp of each value, and the seq counter (0-255, wrapping) of',
    'the edge node.',
    '',
    'A metric without a declared `datatype` takes it from its first value: `Boolean` for true/false,',
    '`Double` for numbers, `String` for text (objects are sent as JSON text). Declare `Int32`,',
    '`Float`, `Int64`, `UInt16`... in `metrics` when a host expects them.',
    '',
    '## Quality',
    '',
    '`msg.quality` travels as the metric property `Quality` (Int32) that Ignition reads, in OPC DA',
    'codes: `good` 192, `uncertain` 64, `bad` 0. DBIRTH always carries it; DDATA carries it only for',
    'values that are not good.',
    '',
    '## Store-and-forward',
    '',
    "Every value goes through the node's buffer on disk (`<data dir>/outbox/<flow>/<node>/`), and",
    'leaves it once written to the connection in a DDATA. While the broker is unreachable, or the',
    'primary host application is offline, values stay in the buffer (up to `bufferMaxMB`); after the',
    'next NBIRTH/DBIRTH they are replayed in order, each metric flagged `is_historical` with its own',
    'timestamp, so that a host stores them in its history without taking them as the current value',
    "(the DBIRTH already carries the latest one). Values that waited for the edge node's first birth",
    'after a deploy are flagged historical too. DDATA is QoS 0, as the specification asks: a value',
    'written to a connection that dies in the same instant can be lost; the buffer covers the time the',
    'connection is known to be down.',
    '',
    '## Status',
    '',
    '`online`, `waiting for the host application`, or `offline, 12 buffered`.',
    '',
    '## Example',
    '',
    'The flow of pump 3, in litres per minute, as metric `flow` of device `pump3`:',
    '',
    '```json',
    '{',
    '  "id": "to-scada",',
    '  "type": "sparkplug-out",',
    '  "typeVersion": 1,',
    '  "config": {',
    '    "edgeNode": "edge7",',
    '    "device": "pump3",',
    '    "metric": "flow",',
    '    "metrics": [{ "name": "flow", "datatype": "Float", "engUnit": "L/min" }]',
    '  }',
    '}',
    '```',
  ].join('\n'),
  inputs: ['in'],
  outputs: [],
  resources: { edgeNode: 'sparkplug-edge-node' },
  errors: sparkplugErrors.pick('SPARKPLUG_CONFIG', 'SPARKPLUG_METRIC'),
  configSchema: {
    type: 'object',
    properties: {
      edgeNode: {
        type: 'string',
        description: 'Id of the sparkplug-edge-node resource publishing the device.',
        minLength: 1,
        'x-ui': { label: 'Edge node', widget: 'resource', resourceType: 'sparkplug-edge-node' },
      },
      device: {
        type: 'string',
        description: "Device id; leave empty to take it from each message's device field.",
        minLength: 1,
        'x-ui': { label: 'Device id' },
      },
      metric: {
        type: 'string',
        description:
          "Metric name; leave empty to take it from each message's topic (or each key of an object payload).",
        minLength: 1,
        'x-ui': { label: 'Metric name' },
      },
      metrics: {
        type: 'array',
        description:
          'Metrics declared in the birth certificate before their first value, with their data type and units.',
        default: [],
        items: {
          type: 'object',
          properties: {
            name: { type: 'string', description: 'Metric name.', minLength: 1, 'x-ui': { label: 'Name' } },
            datatype: { description: 'Sparkplug data type.', enum: [...METRIC_TYPES], 'x-ui': { label: 'Data type' } },
            engUnit: {
              type: 'string',
              description: 'Engineering unit, sent as the engUnit property.',
              'x-ui': { label: 'Engineering unit' },
            },
            properties: {
              type: 'object',
              description: 'More properties of the metric (name: number, boolean or text).',
              additionalProperties: { type: ['number', 'boolean', 'string'] },
              'x-ui': { label: 'Properties', widget: 'key-value' },
            },
          },
          required: ['name'],
          additionalProperties: false,
        },
        'x-ui': { label: 'Declared metrics' },
      },
      bufferMaxMB: {
        type: 'number',
        description: 'Disk space for values waiting for the broker or the host application.',
        default: 100,
        exclusiveMinimum: 0,
        'x-ui': { label: 'Buffer size', unit: 'MB' },
      },
      overflow: outboxOverflowProperty,
    },
    required: ['edgeNode'],
    additionalProperties: false,
  },

  check: (c) =>
    c.device !== undefined && idProblem(c.device) !== undefined
      ? [
          {
            path: '/device',
            message: `device "${c.device}" ${idProblem(c.device)}`,
            code: sparkplugErrors.code.SPARKPLUG_CONFIG,
          },
        ]
      : [],

  async create(ctx) {
    const c = ctx.config;
    const handle = ctx.resource<EdgeNodeSession>(c.edgeNode);
    const outbox = await ctx.outbox<PendingValue>({ maxBytes: c.bufferMaxMB * 2 ** 20, overflow: c.overflow });
    const declared = new Map(c.metrics.map((m) => [m.name, m]));
    /** Latest value of each metric, by device: what a birth certificate carries. */
    const devices = new Map<string, Map<string, BirthMetric>>();
    const registrations = new Map<string, () => void>();
    let delivering: Promise<void> | undefined;
    let shown = '';

    const propertiesOf = (name: string): Record<string, PropertyScalar> | undefined => {
      const d = declared.get(name);
      if (!d) return undefined;
      return { ...d.properties, ...(d.engUnit === undefined ? {} : { engUnit: d.engUnit }) };
    };

    const sourceOf = (device: string): DeviceSource => ({
      birthMetrics: () => [...(devices.get(device)?.values() ?? [])],
    });

    const metricsOf = (device: string): Map<string, BirthMetric> => {
      let metrics = devices.get(device);
      if (metrics) return metrics;
      metrics = new Map();
      devices.set(device, metrics);
      if (device === c.device)
        for (const d of c.metrics)
          metrics.set(d.name, {
            name: d.name,
            datatype: d.datatype === undefined ? DataType.Unknown : DataType[d.datatype],
            value: null,
            timestamp: Date.now(),
            quality: 'bad',
            properties: propertiesOf(d.name),
          });
      const session = handle.current;
      if (session && registered === session) registrations.set(device, session.addDevice(device, sourceOf(device)));
      return metrics;
    };

    // Each new connection learns the devices (and publishes their DBIRTH once born).
    let registered: EdgeNodeSession | undefined;
    const stopConnect = handle.onConnect((session) => {
      registered = session;
      registrations.clear();
      for (const device of devices.keys()) registrations.set(device, session.addDevice(device, sourceOf(device)));
    });
    if (c.device !== undefined) metricsOf(c.device);

    const showStatus = () => {
      const session = handle.current;
      const online = session?.born === true;
      const parts = [online ? 'online' : session ? 'waiting for the host application' : 'offline'];
      if (outbox.size > 0) parts.push(`${outbox.size} buffered`);
      if (outbox.dropped > 0) parts.push(`${outbox.dropped} dropped`);
      const text = parts.join(', ');
      if (text === shown) return;
      shown = text;
      ctx.status({ state: online ? 'ok' : session ? 'connecting' : 'reconnecting', text, backlog: outbox.size });
    };

    const sleep = (ms: number) => new Promise((resolve) => ctx.clock.setTimeout(() => resolve(undefined), ms));

    const deliver = async () => {
      while (!ctx.signal.aborted) {
        await outbox.whenNotEmpty(ctx.signal);
        if (ctx.signal.aborted) return;
        const session = await handle.ready(ctx.signal);
        if (!(await session.whenBorn(ctx.signal))) {
          if (!ctx.signal.aborted) await sleep(200);
          continue;
        }
        const items = outbox.peek(BATCH);
        const droppedBefore = outbox.dropped;
        const bornAt = session.bornAt ?? Date.now();
        // One DDATA per run of values of the same device, in order.
        const sends: Array<Promise<void>> = [];
        let run: DataValue[] = [];
        let device = '';
        for (const item of items) {
          if (item.device !== device && run.length > 0) {
            sends.push(session.publishDeviceData(device, run));
            run = [];
          }
          device = item.device;
          run.push({
            metric: item.metric,
            datatype: item.datatype,
            value: item.value,
            timestamp: item.timestamp,
            quality: item.quality,
            historical: item.at < bornAt,
          });
        }
        if (run.length > 0) sends.push(session.publishDeviceData(device, run));
        try {
          await Promise.all(sends);
          await ackSent(outbox, items.length, droppedBefore);
        } catch (err) {
          // Not written: the values stay in the buffer and go again after the next birth.
          ctx.log.warn('DDATA not sent; kept for the next connection', { error: String(err) });
          if (!ctx.signal.aborted) await sleep(500);
        }
      }
    };

    const accept = (device: string, metric: string, value: unknown, msg: Message, quality: Quality): Promise<void> => {
      const metrics = metricsOf(device);
      const known = metrics.get(metric);
      const d = declared.get(metric);
      let datatype = known?.datatype ?? DataType.Unknown;
      if (datatype === DataType.Unknown)
        datatype = d?.datatype !== undefined ? DataType[d.datatype] : inferDataType(value);
      const checked = checkValue(datatype, value, `${device}/${metric}`);
      metrics.set(metric, {
        name: metric,
        datatype,
        value: checked,
        timestamp: msg.timestamp,
        quality,
        properties: known?.properties ?? propertiesOf(metric),
      });
      const session = handle.current;
      if (session?.born && !session.declared(device, metric)) session.rebirthDevice(device);
      return outbox.push({
        device,
        metric,
        datatype,
        value: checked,
        timestamp: msg.timestamp,
        quality,
        at: Date.now(),
      });
    };

    return {
      start() {
        ctx.clock.setInterval(showStatus, 500);
        showStatus();
        delivering = deliver().catch((err: unknown) => {
          if (!ctx.signal.aborted) ctx.error(err);
        });
      },
      onMessage(msg: Message) {
        const device = c.device ?? (typeof msg.device === 'string' && msg.device !== '' ? msg.device : undefined);
        if (device === undefined)
          throw new NodeError(
            sparkplugErrors.code.SPARKPLUG_METRIC,
            'no device: set device in the config or msg.device',
          );
        if (idProblem(device))
          throw new NodeError(sparkplugErrors.code.SPARKPLUG_METRIC, `device "${device}" ${idProblem(device)}`);
        const metric = c.metric ?? (typeof msg.topic === 'string' && msg.topic !== '' ? msg.topic : undefined);
        let pushed: Promise<void>;
        if (metric !== undefined) {
          pushed = accept(device, metric, msg.payload, msg, msg.quality);
        } else if (typeof msg.payload === 'object' && msg.payload !== null && !Array.isArray(msg.payload)) {
          pushed = Promise.all(
            Object.entries(msg.payload).map(([key, value]) => accept(device, key, value, msg, qualityOf(msg, key))),
          ).then(() => undefined);
        } else {
          throw new NodeError(
            sparkplugErrors.code.SPARKPLUG_METRIC,
            'no metric name: set metric in the config, or msg.topic, or send an object payload',
          );
        }
        if (c.overflow === 'block') return pushed;
        pushed.catch((err: unknown) => ctx.error(err, msg));
      },
      async close() {
        stopConnect();
        await delivering;
        for (const remove of registrations.values()) remove();
        registrations.clear();
      },
    };
  },
});

/** The value as sent for `datatype`, or a SPARKPLUG_METRIC error when it does not fit. */
function checkValue(datatype: number, value: unknown, what: string): unknown {
  if (value === null || value === undefined) return null;
  const refuse = (expected: string) =>
    new NodeError(
      sparkplugErrors.code.SPARKPLUG_METRIC,
      `${what}: ${JSON.stringify(value) ?? typeof value} is not ${expected}`,
    );
  switch (datatype) {
    case DataType.Boolean:
      if (typeof value !== 'boolean') throw refuse('true or false (Boolean)');
      return value;
    case DataType.String:
    case DataType.Text:
      return typeof value === 'string' ? value : JSON.stringify(value);
    case DataType.Int64:
    case DataType.UInt64:
      if (typeof value === 'bigint') return value.toString();
      if (typeof value === 'string' && /^-?\d+$/.test(value)) return value;
      if (typeof value !== 'number' || !Number.isFinite(value)) throw refuse('an integer');
      return Math.trunc(value);
    default:
      if (typeof value === 'boolean') return value ? 1 : 0;
      if (typeof value !== 'number' || Number.isNaN(value)) throw refuse('a number');
      return value;
  }
}
