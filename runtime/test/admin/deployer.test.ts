import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineNode, defineResource, NodeError } from '@tagflow/node-sdk';
import { AuditLog, Deployer, FlowStore } from '../../src';
import { flow, makeEngine } from '../helpers';

/** Fails the moment it starts: the case a health watch that begins after the deploy would miss. */
const failsAtStart = defineNode({
  type: 'fails-at-start',
  version: 1,
  category: 'source',
  description: 'test source that reports an error as soon as it starts',
  inputs: [],
  outputs: ['out'],
  configSchema: { type: 'object', properties: {}, additionalProperties: false },
  create(ctx) {
    return { start: () => ctx.error(new NodeError('BROKEN', 'cannot read the sensor')) };
  },
});

/** A device that never answers. */
const deadDevice = defineResource({
  type: 'dead-device',
  version: 1,
  description: 'test resource whose connection is always refused',
  configSchema: { type: 'object', properties: {}, additionalProperties: false },
  create() {
    throw new Error('connect ECONNREFUSED 10.0.0.9:502');
  },
});

const writer = (requires: boolean) =>
  defineNode({
    type: requires ? 'strict-writer' : 'lenient-writer',
    version: 1,
    category: 'publisher',
    description: 'test node using a device',
    inputs: ['in'],
    outputs: [],
    resources: { device: 'dead-device' },
    requiresResourcesAtDeploy: requires,
    configSchema: {
      type: 'object',
      properties: { device: { type: 'string' } },
      required: ['device'],
      additionalProperties: false,
    },
    create: () => ({ onMessage: () => undefined }),
  });

async function setup(hooks: { onReplaced?: (v: { version: number }) => void } = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'tagflow-deployer-'));
  const { engine, registry, logger } = makeEngine([failsAtStart, writer(true), writer(false)]);
  registry.registerResource(deadDevice);
  const [flows, audit] = await Promise.all([FlowStore.open(dataDir), AuditLog.open(dataDir)]);
  const deployer = new Deployer({ engine, flows, audit, logger, resourceWaitMs: 300, ...hooks });
  return { engine, flows, audit, deployer };
}

const good = flow([{ id: 'sink', type: 'sink' }], [], 'plant');
const broken = flow([{ id: 'bad', type: 'fails-at-start' }], [], 'plant');

it('rolls back a flow whose node fails the moment it starts, within the health window', async () => {
  const { engine, flows, audit, deployer } = await setup();
  expect(await deployer.deploy(good, { by: 'test', expectedVersion: 0 })).toMatchObject({
    status: 'deployed',
    version: { version: 1 },
  });
  const outcome = await deployer.deploy(broken, { by: 'test', expectedVersion: 1, healthMs: 500 });
  expect(outcome).toMatchObject({
    status: 'rolled-back',
    failedVersion: { version: 2 },
    restored: { version: 3 },
    reason: 'node "bad" failed: cannot read the sensor',
  });
  expect(engine.currentFlow?.nodes.map((n) => n.id)).toEqual(['sink']);
  expect(flows.current()?.version).toMatchObject({
    version: 3,
    note: expect.stringMatching(/^rollback to version 1: node "bad" failed/),
  });
  expect((await audit.query({ type: 'rollback' })).map((e) => e.actor)).toEqual(['health check']);
  await engine.stop();
});

it('refuses a stale revision, and reports an unchanged flow as unchanged', async () => {
  const { engine, deployer } = await setup();
  await deployer.deploy(good, { by: 'test', expectedVersion: 0 });
  expect(await deployer.deploy(good, { by: 'test', expectedVersion: 0 })).toEqual({ status: 'conflict', current: 1 });
  expect(await deployer.deploy(good, { by: 'test', expectedVersion: 1 })).toMatchObject({
    status: 'unchanged',
    version: { version: 1 },
  });
  await engine.stop();
});

it('rolls back on request to the version before, as a new version', async () => {
  const { engine, flows, deployer } = await setup();
  await deployer.deploy(good, { by: 'test' });
  await deployer.deploy(flow([{ id: 'other', type: 'sink' }], [], 'plant'), { by: 'test' });
  expect(await deployer.rollback({ by: 'ops' })).toMatchObject({
    status: 'deployed',
    version: { version: 3, note: 'rollback to version 1', deployedBy: 'ops' },
  });
  expect(engine.currentFlow?.nodes.map((n) => n.id)).toEqual(['sink']);
  expect(flows.list().map((v) => v.version)).toEqual([1, 2, 3]);
  expect(await deployer.rollback({ by: 'ops', toVersion: 9 })).toMatchObject({
    status: 'rejected',
    errors: [{ message: 'there is no version 9' }],
  });
  await engine.stop();
});

it('refuses a flow whose node requires a resource that cannot be reached, keeping the old flow', async () => {
  const { engine, flows, deployer } = await setup();
  await deployer.deploy(good, { by: 'test' });
  const withDevice = (type: string) => ({
    ...flow([{ id: 'w', type, config: { device: 'plc' } }], [], 'plant'),
    resources: [{ id: 'plc', type: 'dead-device' }],
  });
  const refused = await deployer.deploy(withDevice('strict-writer'), { by: 'test' });
  expect(refused).toMatchObject({
    status: 'rejected',
    errors: [
      {
        code: 'RESOURCE_UNREACHABLE',
        path: '/resources/0',
        resourceId: 'plc',
        nodeId: 'w',
        message: expect.stringMatching(
          /^resource "plc" \(dead-device\), which node "w" cannot work without, is not reachable: .*ECONNREFUSED/,
        ),
      },
    ],
  });
  expect(engine.currentFlow?.nodes.map((n) => n.id)).toEqual(['sink']);
  expect(flows.list().map((v) => v.version)).toEqual([1]);
  // A node that does not require its device deploys; the device is retried in the background.
  expect(await deployer.deploy(withDevice('lenient-writer'), { by: 'test' })).toMatchObject({
    status: 'deployed',
    version: { version: 2 },
  });
  await engine.stop();
});

it('tells safe boot which version a deploy replaced while it ran, and no other', async () => {
  const replaced: number[] = [];
  const { engine, deployer } = await setup({ onReplaced: (v) => replaced.push(v.version) });
  await deployer.deploy(good, { by: 'test', expectedVersion: 0 });
  expect(replaced).toEqual([]); // nothing ran before version 1
  await deployer.deploy(broken, { by: 'test', expectedVersion: 1 });
  expect(replaced).toEqual([1]);
  // A stopped engine (as after the watchdog ended it, or in safe mode) ran nothing to replace.
  await engine.stop();
  await deployer.deploy(good, { by: 'test', expectedVersion: 2 });
  expect(replaced).toEqual([1]);
});
