import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditLog, Deployer, FlowStore } from '../../src';
import { flow, makeEngine } from '../helpers';

/** The stores and a deployer over `dataDir`, as a fresh start of the runtime opens them. */
async function start(dataDir: string) {
  const { engine, logger } = makeEngine();
  const [flows, audit] = await Promise.all([FlowStore.open(dataDir), AuditLog.open(dataDir)]);
  return { engine, flows, deployer: new Deployer({ engine, flows, audit, logger }) };
}

const version = (n: number) => flow([{ id: `sink${n}`, type: 'sink' }], [], 'plant');

it('rolls back to a version read from disk after a restart, keeping only the current flow in memory', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tagflow-rollback-restart-'));
  const before = await start(dataDir);
  for (let n = 1; n <= 5; n++) {
    expect(await before.deployer.deploy(version(n), { by: 'test' })).toMatchObject({ status: 'deployed' });
  }
  await before.engine.stop();

  const after = await start(dataDir);
  expect(after.flows.heldFlowChars()).toBe(JSON.stringify(after.flows.current()?.flow, null, 2).length + 1);
  expect(await after.deployer.rollback({ by: 'ops', toVersion: 2 })).toMatchObject({
    status: 'deployed',
    version: { version: 6, note: 'rollback to version 2' },
  });
  expect(after.engine.currentFlow?.nodes.map((n) => n.id)).toEqual(['sink2']);
  expect(after.flows.current()?.flow).toEqual(version(2));
  await after.engine.stop();
});
