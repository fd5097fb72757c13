// Issue 15: a node package is code, and tagflow runs it only when the user said where it comes
// from. A package lying in the working folder's node_modules (a project's, a cloned repository's,
// a downloaded archive's), or installed next to a global tagflow, is never loaded by being there.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { cliRoot, ensureCliBuilt, runTagflow, startTagflow, stopAllTagflow, until } from '@tagflow/test-support';
import type { TagflowProcess } from '@tagflow/test-support';
import { logLines } from './cli-process';

beforeAll(ensureCliBuilt, 120_000);
afterAll(stopAllTagflow);

/** The type the planted package would provide. */
const TYPE = 'innocent-sensor';

/**
 * A folder holding `node_modules/innocent-looking`, a node package whose module writes `marker`
 * (one line per load) as soon as it is required, and a flow using its type.
 */
function plantedFolder(): { dir: string; marker: string; flow: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'tagflow-planted-'));
  const marker = path.join(dir, 'marker');
  plantPackage(path.join(dir, 'node_modules'), marker);
  return { dir, marker, flow: writeFlow(dir) };
}

/** Writes `<nodeModules>/innocent-looking`, whose module appends a line to `marker` when required. */
function plantPackage(nodeModules: string, marker: string): void {
  const pkg = path.join(nodeModules, 'innocent-looking');
  mkdirSync(path.join(pkg, 'lib'), { recursive: true });
  writeFileSync(
    path.join(pkg, 'package.json'),
    JSON.stringify({
      name: 'innocent-looking',
      version: '1.0.0',
      tagflow: { nodes: [`lib/${TYPE}.node.js`] },
      peerDependencies: { '@tagflow/node-sdk': '^0.1.0' },
    }),
  );
  writeFileSync(
    path.join(pkg, 'lib', `${TYPE}.node.js`),
    `'use strict';
require('node:fs').appendFileSync(${JSON.stringify(marker)}, 'loaded by ' + process.pid + '\\n');
module.exports = {
  type: ${JSON.stringify(TYPE)},
  version: 1,
  category: 'processor',
  description: 'Passes messages on (test fixture).',
  configSchema: { type: 'object', properties: {}, additionalProperties: false },
  inputs: ['in'],
  outputs: ['out'],
  create(ctx) {
    return { onMessage(msg) { ctx.send('out', msg); } };
  },
};
`,
  );
}

/** `<dir>/flow.json`: a simulate source wired to the planted type. */
function writeFlow(dir: string): string {
  const flow = path.join(dir, 'flow.json');
  writeFileSync(
    flow,
    JSON.stringify({
      schemaVersion: 1,
      id: 'planted',
      nodes: [
        { id: 'sensor', type: 'simulate', typeVersion: 1, config: { intervalMs: 100 } },
        { id: 'pass', type: TYPE, typeVersion: 1 },
      ],
      edges: [{ source: 'sensor', target: 'pass' }],
    }),
  );
  return flow;
}

const tagflow = (args: string[], cwd: string) => runTagflow(args, { cwd, env: { TAGFLOW_LOG_LEVEL: 'info' } });

describe('node packages in the working folder', () => {
  it('tagflow validate neither loads nor knows them; with --nodes-dir . it does', async () => {
    const { dir, marker } = plantedFolder();
    const result = await tagflow(['validate', 'flow.json'], dir);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(new RegExp(`"pass".*${TYPE}`));
    // Told why, from the package.json alone.
    expect(result.stderr).toContain(
      `hint: "${TYPE}" is provided by innocent-looking in ./node_modules/innocent-looking, which is not loaded: node packages are loaded only from tagflow itself, the data dir and --nodes-dir. To use it, add --nodes-dir .\n`,
    );
    expect(existsSync(marker)).toBe(false);

    const explicit = await tagflow(['validate', 'flow.json', '--nodes-dir', '.'], dir);
    expect(explicit).toMatchObject({ code: 0, stdout: 'flow "planted" is valid: 2 nodes, 1 edge\n' });
    expect(existsSync(marker)).toBe(true);
  });

  it("tagflow validate names the folder's node packages when none has a module named like an unknown type", async () => {
    const { dir, marker } = plantedFolder();
    const flow = JSON.parse(readFileSync(path.join(dir, 'flow.json'), 'utf8')) as { nodes: Array<{ type: string }> };
    flow.nodes[1].type = 'pressure-probe';
    writeFileSync(path.join(dir, 'other.flow.json'), JSON.stringify(flow));
    const result = await tagflow(['validate', 'other.flow.json'], dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'hint: this folder holds node packages that are not loaded (innocent-looking): node packages are loaded only from tagflow itself, the data dir and --nodes-dir. If one of them provides "pressure-probe", add --nodes-dir .\n',
    );
    expect(existsSync(marker)).toBe(false);
  });

  it('tagflow nodes neither loads nor lists them; with --nodes-dir . it does', async () => {
    const { dir, marker } = plantedFolder();
    const dataDir = path.join(dir, 'data');
    const types = async (...args: string[]) => {
      const result = await tagflow(['nodes', '--json', '--data-dir', dataDir, ...args], dir);
      expect(result.code).toBe(0);
      return (JSON.parse(result.stdout) as { nodes: Array<{ type: string }> }).nodes.map((n) => n.type);
    };
    const listed = await types();
    expect(listed).toContain('moving-average');
    expect(listed).not.toContain(TYPE);
    expect(existsSync(marker)).toBe(false);

    expect(await types('--nodes-dir', '.')).toContain(TYPE);
    expect(existsSync(marker)).toBe(true);
  });

  it('tagflow run neither loads nor runs them; with --nodes-dir . it does', async () => {
    const { dir, marker } = plantedFolder();
    const dataDir = path.join(dir, 'data');
    const result = await tagflow(['run', 'flow.json', '--for', '1s', '--data-dir', dataDir], dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(TYPE);
    expect(result.stderr).toContain('the flow was not started');
    expect(logLines(result.stderr)).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        msg: expect.stringMatching(new RegExp(`^"${TYPE}" is provided by innocent-looking .*add --nodes-dir \\.$`)),
      }),
    );
    expect(existsSync(marker)).toBe(false);

    const explicit = await tagflow(['run', 'flow.json', '--for', '1s', '--data-dir', dataDir, '--nodes-dir', '.'], dir);
    expect(explicit.code).toBe(0);
    expect(existsSync(marker)).toBe(true);
  });

  it('tagflow start neither loads nor offers them, in its API or its engine; with --nodes-dir . it does', async () => {
    const { dir, marker } = plantedFolder();
    const nodeTypes = async (rt: TagflowProcess) =>
      ((await (await rt.api('/api/nodes')).json()) as { nodes: Array<{ type: string }> }).nodes.map((n) => n.type);
    const engineRunsPass = async (rt: TagflowProcess) =>
      ((await (await rt.api('/api/status')).json()) as { nodes?: Record<string, unknown> }).nodes?.pass !== undefined;

    const plain = await startTagflow({ dataDir: path.join(dir, 'data-plain'), cwd: dir });
    const deploy = await plain.api('/api/flow', {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json', 'If-Match': '"0"' },
      body: readFileSync(path.join(dir, 'flow.json'), 'utf8'),
    });
    expect(deploy.status).toBe(422);
    expect(await deploy.text()).toContain(TYPE);
    const listed = await nodeTypes(plain);
    expect(listed).toContain('moving-average');
    expect(listed).not.toContain(TYPE);
    await plain.stop();
    expect(existsSync(marker)).toBe(false);

    const explicit = await startTagflow({
      dataDir: path.join(dir, 'data-explicit'),
      cwd: dir,
      args: ['--nodes-dir', '.', '--flow', 'flow.json'],
    });
    expect(await nodeTypes(explicit)).toContain(TYPE);
    await until(() => engineRunsPass(explicit), 'the engine to run the node', 20_000);
    await explicit.stop();
    // Once by the admin process (the palette), once by the engine process (the flow).
    expect(readFileSync(marker, 'utf8').trim().split('\n')).toHaveLength(2);
  }, 60_000);
});

describe('node packages installed next to tagflow', () => {
  it('are not loaded: a global install loads the node packages tagflow depends on, no other', async () => {
    // The layout of `npm install -g tagflow`: <prefix>/lib/node_modules/tagflow with its own
    // dependencies inside, and every other global package a sibling of it.
    const prefix = mkdtempSync(path.join(tmpdir(), 'tagflow-global-'));
    const globalModules = path.join(prefix, 'lib', 'node_modules');
    const installed = path.join(globalModules, 'tagflow');
    for (const part of ['bin', 'dist', 'package.json'])
      cpSync(path.join(cliRoot, part), path.join(installed, part), { recursive: true });
    symlinkSync(path.join(cliRoot, 'node_modules'), path.join(installed, 'node_modules'), 'dir');
    const marker = path.join(prefix, 'marker');
    plantPackage(globalModules, marker);
    const work = mkdtempSync(path.join(tmpdir(), 'tagflow-work-'));
    writeFlow(work);

    const result = await runTagflow(['validate', 'flow.json'], {
      cwd: work,
      cliBin: path.join(installed, 'bin', 'tagflow.js'),
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(new RegExp(`"pass".*${TYPE}`));
    // The node packages it comes with are there: simulate (core) is known.
    expect(result.stdout).not.toContain('simulate');
    expect(existsSync(marker)).toBe(false);
  });
});
