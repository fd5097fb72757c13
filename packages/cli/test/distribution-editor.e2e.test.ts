// Issue 16: `tagflow start` from a plain folder, no --nodes-dir: the editor's palette has the MQTT,
// Modbus and OPC UA nodes, and every example of its Examples menu that uses only tagflow's own
// types opens with none "not installed" (the problem list is the runtime's validate). A type no
// package provides keeps the third-party remedy, and never a download for a built-in one.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ensureCliBuilt, startTagflow, stopAllTagflow } from '@tagflow/test-support';
import type { TagflowProcess } from '@tagflow/test-support';

beforeAll(ensureCliBuilt, 120_000);
afterAll(stopAllTagflow);

const examples = path.resolve(__dirname, '..', '..', '..', 'examples');
/** The flows the editor bundles in its Examples menu (editor/src/ui/examples.ts). */
const exampleFlows = readdirSync(examples)
  .filter((name) => readdirSync(path.join(examples, name)).includes('flow.json'))
  .map((name) => ({ name, flow: JSON.parse(readFileSync(path.join(examples, name, 'flow.json'), 'utf8')) as object }));

interface Issue {
  code: string;
  message: string;
}

let rt: TagflowProcess;
beforeAll(async () => {
  rt = await startTagflow();
}, 60_000);

it('serves a palette with the MQTT, Modbus and OPC UA nodes', async () => {
  const palette = (await (await rt.api('/api/nodes')).json()) as {
    nodes: Array<{ type: string }>;
    resources: Array<{ type: string }>;
  };
  expect(palette.nodes.map((n) => n.type)).toEqual(
    expect.arrayContaining(['mqtt-in', 'mqtt-out', 'modbus-read', 'modbus-write', 'opcua-subscribe', 'opcua-write']),
  );
  expect(palette.resources.map((r) => r.type)).toEqual(
    expect.arrayContaining(['mqtt-broker', 'modbus-device', 'opcua-server', 'historian']),
  );
});

it.each(exampleFlows.filter((e) => e.name !== 'custom-node'))(
  'opens the $name example with every type installed',
  async ({ flow }) => {
    const res = await rt.api('/api/flow/validate', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(flow),
    });
    const { errors } = (await res.json()) as { errors: Issue[] };
    expect(errors.filter((e) => e.code === 'UNKNOWN_NODE_TYPE' || e.code === 'UNKNOWN_RESOURCE_TYPE')).toEqual([]);
  },
);

it('keeps the remedy for a third-party type: install the package that provides it', async () => {
  const custom = exampleFlows.find((e) => e.name === 'custom-node');
  expect(custom).toBeDefined();
  const res = await rt.api('/api/flow/validate', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(custom?.flow),
  });
  const { errors } = (await res.json()) as { errors: Issue[] };
  const unknown = errors.filter((e) => e.code === 'UNKNOWN_NODE_TYPE');
  expect(unknown.length).toBeGreaterThan(0);
  for (const e of unknown) {
    expect(e.message).toMatch(/install the package that provides it|did you mean/);
    expect(e.message).not.toContain('tagflow nodes install @tagflow/');
  }
});
