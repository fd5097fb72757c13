import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ensureCliBuilt, runTagflow } from '@tagflow/test-support';
import { fixtures } from './cli-process';

/**
 * Flow files over the limits, written at test time (some are megabytes). Every one gets exit code
 * 1 and the limit in plain words from `tagflow validate` and `tagflow deploy`, never "unexpected
 * failure" and a stack.
 */

let dir: string;
const pump = JSON.parse(readFileSync(path.join(fixtures, 'pump-monitor.flow.json'), 'utf8')) as {
  nodes: Array<{ id: string; type: string; typeVersion: number; config?: unknown }>;
};
const pumpText = JSON.stringify(pump);

function write(name: string, text: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

function run(args: string[]) {
  return runTagflow(args, { cwd: dir, env: { TAGFLOW_LOG_LEVEL: 'info' } });
}

const files: Record<string, () => string> = {
  deep: () =>
    write(
      'deep.flow.json',
      pumpText.replace('"config":{"window":{"count":5}}', `"config":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`),
    ),
  infinite: () => write('infinite.flow.json', pumpText.replace('"seed":7', '"seed":1e400')),
  many: () =>
    write(
      'many.flow.json',
      JSON.stringify({
        ...pump,
        nodes: Array.from({ length: 100_000 }, (_, i) => ({ id: `d${i}`, type: 'debug', typeVersion: 1 })),
        edges: [],
      }),
    ),
  longId: () => write('long-id.flow.json', pumpText.replace('"id":"show"', `"id":"${'s'.repeat(1024 * 1024)}"`)),
  tooLarge: () =>
    write('too-large.flow.json', `${pumpText.slice(0, -1)},"description":"${'x'.repeat(6 * 1024 * 1024)}"}`),
  deepBroken: () => write('deep-broken.flow.json', '['.repeat(10_000)),
};

beforeAll(() => {
  ensureCliBuilt();
  dir = mkdtempSync(path.join(tmpdir(), 'tagflow-cli-limits-'));
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('tagflow validate on flows over the limits', () => {
  it('refuses 10,000 levels of nesting, naming the node, the path and the limit', async () => {
    const result = await run(['validate', files.deep()]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /^node "avg" \(moving-average\): \/nodes\/1\/config(\/a){61} is nested more than 64 levels deep \(objects and lists inside each other\); a flow may nest at most 64 levels \[NESTED_TOO_DEEP\]\n$/,
    );
    expect(result.stderr).toBe(`error: ${path.join(dir, 'deep.flow.json')} is not a valid flow: 1 error\n`);
  });

  it('refuses 1e400 with the path instead of reading it as Infinity', async () => {
    const result = await run(['validate', files.infinite()]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe(
      'node "flow-sensor" (simulate): /nodes/0/config/seed is too large for a number (a value like 1e400 reads as Infinity); numbers may be at most about 1.8e308 [NUMBER_NOT_FINITE]\n',
    );
  });

  it('refuses 100,000 nodes by their count', async () => {
    const result = await run(['validate', files.many()]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe(
      'flow "pump-monitor": /nodes has 100,000 nodes; a flow may have at most 10,000 [TOO_MANY_NODES]\n',
    );
  });

  it('refuses a 1 MB node id without printing it', async () => {
    const result = await run(['validate', files.longId()]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe(
      'node #3 (debug): /nodes/2/id is 1,048,576 characters long; ids may be at most 128 characters [ID_TOO_LONG]\n',
    );
  });

  it('refuses a file over 5 MB before reading it', async () => {
    const file = files.tooLarge();
    const result = await run(['validate', file]);
    expect(result).toMatchObject({ code: 1, stdout: '' });
    expect(result.stderr).toMatch(
      /^error: .*too-large\.flow\.json is not a valid flow: the flow is 6 MB \([\d,]+ bytes\); a flow may be at most 5 MB \(5,242,880 bytes\) \[FLOW_TOO_LARGE\]\n$/,
    );
  });

  it('says where a 10,000-deep file that is not JSON goes wrong', async () => {
    const result = await run(['validate', files.deepBroken()]);
    expect(result).toMatchObject({ code: 1, stdout: '' });
    expect(result.stderr).toMatch(
      /^error: .*deep-broken\.flow\.json is not valid JSON: line 1, column 65: objects and lists are nested more than 64 levels deep here/,
    );
  });

  it('never prints "unexpected failure" for any of them', async () => {
    const results = await Promise.all(Object.values(files).map((make) => run(['validate', make()])));
    for (const result of results) {
      expect(result.code).toBe(1);
      expect(result.stderr).not.toMatch(/unexpected failure|RangeError|at .*\.js:\d+/);
    }
  });
});

describe('tagflow deploy on flows over the limits', () => {
  it('refuses each one locally, with the same words, and sends nothing', async () => {
    const fleet = path.join(__dirname, 'fleet', 'fixtures', 'fleet.json');
    const deep = await run(['deploy', files.deep(), '--all', '--fleet', fleet]);
    expect(deep.code).toBe(1);
    expect(deep.stderr).toMatch(
      /^node "avg" \(moving-average\): \/nodes\/1\/config(\/a){61} is nested more than 64 levels deep/,
    );
    expect(deep.stderr).toMatch(/is not a valid flow: 1 error; nothing was deployed\n$/);
    const infinite = await run(['deploy', files.infinite(), '--all', '--fleet', fleet]);
    expect(infinite.stderr).toContain('/nodes/0/config/seed is too large for a number');
    const many = await run(['deploy', files.many(), '--all', '--fleet', fleet]);
    expect(many.stderr).toContain('/nodes has 100,000 nodes; a flow may have at most 10,000 [TOO_MANY_NODES]');
    for (const result of [deep, infinite, many]) {
      expect(result.code).toBe(1);
      expect(result.stderr).not.toMatch(/unexpected failure|deploying/);
    }
  });
});
