// The soak's flow: examples/pump-monitor as a user ships it (moving average, alarm threshold, debug
// views, the local historian), with its simulated sensor replaced by the plant's MQTT feed and an
// MQTT publisher added for the average, so that input, processing and both kinds of output run.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where the plant publishes readings, and where the runtime publishes their average. */
export const SOAK_TOPICS = { readings: 'plant/pump3/flow', average: 'plant/pump3/flow/avg' } as const;
/** The historian tag the averages are stored under (the example's `{{topic}}/avg`). */
export const SOAK_HISTORY_TAG = 'plant/pump3/flow/avg';
/** The example's historian resource: its local store is `<data dir>/historian/<id>.sqlite`. */
export const SOAK_HISTORIAN = 'pump-history';

interface FlowNode {
  id: string;
  type: string;
  typeVersion: number;
  name?: string;
  config: Record<string, unknown>;
  ui?: { x: number; y: number };
}
interface FlowFile {
  id: string;
  resources?: Array<{ id: string; type: string; name?: string; config: Record<string, unknown> }>;
  nodes: FlowNode[];
  edges: Array<{ source: string; target: string; sourcePort?: string; targetPort?: string }>;
  [key: string]: unknown;
}

const EXAMPLE = join(__dirname, '..', '..', '..', 'examples', 'pump-monitor', 'flow.json');

/** The pump monitor, fed from and publishing to the broker on `brokerPort`. */
export function soakFlow(brokerPort: number): FlowFile {
  const flow = JSON.parse(readFileSync(EXAMPLE, 'utf8')) as FlowFile;
  const sensor = flow.nodes.find((n) => n.id === 'flow-sensor');
  if (!sensor || !flow.nodes.some((n) => n.id === 'avg') || !flow.resources?.some((r) => r.id === SOAK_HISTORIAN))
    throw new Error(`${EXAMPLE} no longer has the nodes flow-sensor and avg and the resource ${SOAK_HISTORIAN}`);
  flow.id = 'pump-monitor-soak';
  flow.resources.push({ id: 'plant-broker', type: 'mqtt-broker', config: { url: `mqtt://127.0.0.1:${brokerPort}` } });
  const at = sensor.ui ?? { x: 80, y: 120 };
  // The sensor's readings now come over MQTT, as JSON {value, ts}: a change node keeps the
  // source's timestamp (as a gateway stamping its samples) and makes the value the payload.
  Object.assign(sensor, {
    type: 'mqtt-in',
    name: 'Pump 3 flow sensor (MQTT)',
    config: { broker: 'plant-broker', topic: SOAK_TOPICS.readings, qos: 1, payload: 'json' },
  });
  flow.nodes.push(
    {
      id: 'source-time',
      type: 'change',
      typeVersion: 1,
      name: 'Source timestamp',
      config: {
        rules: [
          { action: 'set', property: 'timestamp', value: { type: 'property', value: 'payload.ts' } },
          { action: 'set', property: 'payload', value: { type: 'property', value: 'payload.value' } },
        ],
      },
      ui: { x: at.x, y: at.y + 120 },
    },
    {
      id: 'publish-average',
      type: 'mqtt-out',
      typeVersion: 1,
      name: 'Publish average',
      config: { broker: 'plant-broker', topic: '{{topic}}/avg', qos: 1, format: 'message' },
      ui: { x: 740, y: 420 },
    },
  );
  for (const edge of flow.edges) if (edge.source === 'flow-sensor') edge.source = 'source-time';
  flow.edges.push({ source: 'flow-sensor', target: 'source-time' }, { source: 'avg', target: 'publish-average' });
  return flow;
}
