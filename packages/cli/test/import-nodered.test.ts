import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ensureCliBuilt } from '@tagflow/test-support';
import { runCli } from './cli-process';

beforeAll(ensureCliBuilt, 120_000);

const plant = path.resolve(__dirname, '../../nodered-import/test/fixtures/plant.nodered.json');

describe('tagflow import-nodered', () => {
  it('writes a flow file per tab and the report, prints a summary, exits 0 with placeholders', async () => {
    const out = mkdtempSync(path.join(tmpdir(), 'tagflow-import-'));
    const result = await runCli(['import-nodered', plant, '--out', out]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(readdirSync(out).sort()).toEqual([
      'alarms.flow.json',
      'import-report.md',
      'line-1-pumps-2.flow.json',
      'line-1-pumps.flow.json',
    ]);
    expect(result.stdout).toMatch(/^23 Node-RED nodes: .*2 not converted.*3 dashboard nodes left out\.$/m);
    expect(result.stdout).toContain('tagflow secret set MQTT_PLANT_BROKER_PASSWORD');
    expect(result.stdout).toMatch(/replace the 2 placeholder nodes/);
    const report = readFileSync(path.join(out, 'import-report.md'), 'utf8');
    expect(report).toMatch(/^# Node-RED import report/);
    expect(report).toContain('`exec1`');
    const flow = JSON.parse(readFileSync(path.join(out, 'line-1-pumps.flow.json'), 'utf8')) as { subflows: unknown[] };
    expect(flow.subflows).toHaveLength(1);
    expect(readFileSync(path.join(out, 'line-1-pumps.flow.json'), 'utf8')).not.toContain('s3cret');

    // The flow with a placeholder is refused, in plain words, by validate (= deploy).
    const refused = await runCli(['validate', path.join(out, 'line-1-pumps-2.flow.json')]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(
      /Node-RED "inject" node that was not converted \(it runs on a schedule .*\): use a timer node/,
    );
    // The flow without one validates.
    const alarms = await runCli(['validate', path.join(out, 'alarms.flow.json')]);
    expect(alarms.stdout).toMatch(/flow "alarms" is valid/);
    expect(alarms.code).toBe(0);
  });

  it('converts an export with a subflow used twice into flows that validate, the report listing it', async () => {
    // The export the end-to-end test runs against real peers (nodered-import/test/peers-subflow-import.test.ts).
    const withSubflow = path.resolve(__dirname, '../../nodered-import/test/fixtures/plant-subflow.nodered.json');
    const out = mkdtempSync(path.join(tmpdir(), 'tagflow-import-'));
    const result = await runCli(['import-nodered', withSubflow, '--out', out]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['collect.flow.json', 'import-report.md', 'watch.flow.json']);
    expect(result.stdout).toMatch(/^14 Node-RED nodes: 11 converted exactly, 3 with a difference, 0 not converted/m);
    const report = readFileSync(path.join(out, 'import-report.md'), 'utf8');
    expect(report).toContain('| x2 (`double`) | subflow:scale-limit | tab "Watch" (`watch`) |');
    expect(report).toContain('| x10 (`tenfold`) | subflow:scale-limit | tab "Watch" (`watch`) |');
    expect(report).toContain(
      '| scale and cap (`sf-calc`) | function | subflow "Scale and limit" (`scale-and-limit`) | `sf-calc-env` (change), `sf-calc` (function) |',
    );
    const watch = JSON.parse(readFileSync(path.join(out, 'watch.flow.json'), 'utf8')) as {
      subflows: Array<{ id: string }>;
    };
    expect(watch.subflows.map((s) => s.id)).toEqual(['scale-and-limit']);

    // validate (= deploy) expands the two instances: 5 nodes of the tab + 3 inner nodes each.
    const watchValid = await runCli(['validate', path.join(out, 'watch.flow.json')]);
    expect(watchValid.stdout).toMatch(/flow "watch" is valid: 11 nodes, 10 edges/);
    expect(watchValid.code).toBe(0);
    const collectValid = await runCli(['validate', path.join(out, 'collect.flow.json')]);
    expect(collectValid.stdout).toMatch(/flow "collect" is valid/);
    expect(collectValid.code).toBe(0);
  });

  it('prints the report as JSON with --json', async () => {
    const out = mkdtempSync(path.join(tmpdir(), 'tagflow-import-'));
    const result = await runCli(['import-nodered', plant, '--out', out, '--json']);
    expect(result.code).toBe(0);
    const printed = JSON.parse(result.stdout) as {
      files: string[];
      report: { counts: Record<string, number>; dashboardNodes: number };
    };
    expect(printed.files).toHaveLength(3);
    expect(printed.report.dashboardNodes).toBe(3);
    expect(printed.report.counts['not-converted']).toBe(2);
  });

  it('exits 1 in plain words for a missing file, invalid JSON, or a file that is not a Node-RED export', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tagflow-import-'));
    const broken = path.join(dir, 'broken.json');
    writeFileSync(broken, '[{ "id": "a", ');
    const tagflowFlow = path.join(dir, 'flow.json');
    writeFileSync(tagflowFlow, JSON.stringify({ schemaVersion: 1, id: 'x', nodes: [], edges: [] }));
    const missing = await runCli(['import-nodered', path.join(dir, 'nope.json')]);
    expect(missing).toMatchObject({ code: 1, stdout: '' });
    expect(missing.stderr).toMatch(/^error: cannot read .*nope\.json: no such file\n$/);
    const invalid = await runCli(['import-nodered', broken]);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toMatch(/is not a Node-RED export: it is not valid JSON/);
    const notNodeRed = await runCli(['import-nodered', tagflowFlow]);
    expect(notNodeRed.code).toBe(1);
    expect(notNodeRed.stderr).toMatch(/already a tagflow flow file, not a Node-RED export/);
  });
});
