import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineNode, NodeError } from '@tagflow/node-sdk';
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

async function setup() {
  const dataDir = mkdtempSync(join(tmpdir(), 'tagflow-deployer-'));
  const { engine, logger } = makeEngine([failsAtStart]);
  const [flows, audit] = await Promise.all([FlowStore.open(dataDir), AuditLog.open(dataDir)]);
  const deployer = new Deployer({ engine, flows, audit, logger });
  return { engine, flows, audit, deployer };
}

const good = flow([{ id: 'sink', type: 'sink' }], [], 'plant');
const broken = flow([{ id: 'bad', type: 'fails-at-start' }], [], 'plant');

it('rolls back a flow whose node fails the moment it starts, within the health window', async () => {
  const { engine, flows, audit, deployer } = await setup();
  expect(await deployer.deploy(good, { by: 'test', expectedVersion: 0 })).toMatchObject({ status: 'deployed', version: { version: 1 } });
  const outcome = await deployer.deploy(broken, { by: 'test', expectedVersion: 1, healthMs: 500 });
  expect(outcome).toMatchObject({ status: 'rolled-back', failedVersion: { version: 2 }, restored: { version: 3 }, reason: 'node "bad" failed: cannot read the sensor' });
  expect(engine.currentFlow?.nodes.map((n) => n.id)).toEqual(['sink']);
  expect(flows.current()?.version).toMatchObject({ version: 3, note: expect.stringMatching(/^rollback to version 1: node "bad" failed/) });
  expect((await audit.query({ type: 'rollback' })).map((e) => e.actor)).toEqual(['health check']);
  await engine.stop();
});

it('refuses a stale revision, and reports an unchanged flow as unchanged', async () => {
  const { engine, deployer } = await setup();
  await deployer.deploy(good, { by: 'test', expectedVersion: 0 });
  expect(await deployer.deploy(good, { by: 'test', expectedVersion: 0 })).toEqual({ status: 'conflict', current: 1 });
  expect(await deployer.deploy(good, { by: 'test', expectedVersion: 1 })).toMatchObject({ status: 'unchanged', version: { version: 1 } });
  await engine.stop();
});

it('rolls back on request to the version before, as a new version', async () => {
  const { engine, flows, deployer } = await setup();
  await deployer.deploy(good, { by: 'test' });
  await deployer.deploy(flow([{ id: 'other', type: 'sink' }], [], 'plant'), { by: 'test' });
  expect(await deployer.rollback({ by: 'ops' })).toMatchObject({ status: 'deployed', version: { version: 3, note: 'rollback to version 1', deployedBy: 'ops' } });
  expect(engine.currentFlow?.nodes.map((n) => n.id)).toEqual(['sink']);
  expect(flows.list().map((v) => v.version)).toEqual([1, 2, 3]);
  expect(await deployer.rollback({ by: 'ops', toVersion: 9 })).toMatchObject({ status: 'rejected', errors: [{ message: 'there is no version 9' }] });
  await engine.stop();
});
