import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ensureCliBuilt, repoRoot } from '@tagflow/test-support';
import { runCli } from './cli-process';

/**
 * The reproduction of issue 14: flows `tagflow validate` called valid although the runtime refuses
 * them. Each is a fixture of the node package's `test/refusals/` (where a conventions test also
 * deploys it): validate must print the refusal, with its path and code, and exit 1.
 */
const REPRODUCTION = [
  ['core', 'function-syntax-error'],
  ['core', 'switch-invalid-regex'],
  ['core', 'change-invalid-jsonata'],
  ['core', 'scale-equal-input-ends'],
  ['modbus', 'bool-on-holding-register'],
  ['modbus', 'float32-on-coil'],
  ['modbus', 'string-without-length'],
  ['modbus', 'float32-at-65535'],
  ['modbus', 'duplicate-tag-names'],
  ['modbus', 'scale-zero'],
  ['modbus', 'tcp-device-without-host'],
] as const;

interface RefusalFixture {
  refusal: { code: string; path: string; says: string };
  flow: { id: string };
}

let dir: string;
beforeAll(() => {
  ensureCliBuilt();
  dir = mkdtempSync(path.join(tmpdir(), 'tagflow-validate-refusals-'));
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('tagflow validate refuses what the runtime would refuse', () => {
  it.each(REPRODUCTION)('%s: %s', async (pkg, name) => {
    const fixture = JSON.parse(
      readFileSync(path.join(repoRoot, 'nodes', pkg, 'test', 'refusals', `${name}.json`), 'utf8'),
    ) as RefusalFixture;
    const file = path.join(dir, `${name}.flow.json`);
    writeFileSync(file, JSON.stringify(fixture.flow));
    // The CLI ships with the core nodes; the others are found where the repo builds them.
    const result = await runCli(['validate', file, '--nodes-dir', path.join(repoRoot, 'nodes', pkg)]);
    const { code, path: pointer, says } = fixture.refusal;
    const line = result.stdout.split('\n').find((l) => l.endsWith(`[${code}]`) && l.includes(`${pointer}: `));
    expect({ line, code: result.code }).toEqual({ line: expect.stringContaining(says), code: 1 });
    expect(result.stderr).toContain(`${file} is not a valid flow: 1 error`);
  });
});
