// A switch with as many outputs as its config says (issue 16): the canvas draws one handle per
// output, redraws them as the form's count changes, drops the wires of outputs that go, and a wire
// from out12 deploys and carries messages. Real headless Chromium on the built editor, served by a
// real `tagflow start`, as editor.e2e.test.ts.
import { until } from '@tagflow/test-support';
import { EditorPage, editorSession } from './editor-harness';
import type { FlowJson } from './editor-harness';

/** A source into a switch with 16 outputs: rule 1 sends every message on out1, rule 2 on out12. */
const seed = {
  schemaVersion: 1,
  id: 'e2e-switch-outputs',
  name: 'Switch outputs scenario',
  nodes: [
    {
      id: 'sim',
      type: 'simulate',
      typeVersion: 1,
      config: {
        tag: 'e2e/level',
        intervalMs: 200,
        seed: 1,
        signal: { kind: 'sine', amplitude: 1, offset: 20, periodSeconds: 10 },
      },
      ui: { x: 0, y: 0 },
    },
    {
      id: 'sw',
      type: 'switch',
      typeVersion: 1,
      config: { outputs: 16, rules: [{ op: 'notnull' }, { op: 'notnull', port: 'out12' }] },
      ui: { x: 200, y: 0 },
    },
    { id: 'one', type: 'debug', typeVersion: 1, config: { property: 'payload' }, ui: { x: 420, y: -40 } },
    { id: 'twelve', type: 'debug', typeVersion: 1, config: { property: 'payload' }, ui: { x: 420, y: 160 } },
  ],
  edges: [
    { source: 'sim', target: 'sw' },
    { source: 'sw', sourcePort: 'out1', target: 'one' },
  ],
};

const session = editorSession(seed);

it('draws one handle per configured output, follows the count in the form, and deploys a wire from out12', async () => {
  const ed = await EditorPage.open(session.browser, session.runtime, { signIn: false });
  const handles = ed.page.locator('.react-flow__node[data-id="sw"] .react-flow__handle.source');
  const handleIds = () => handles.evaluateAll((els) => els.map((el) => el.getAttribute('data-handleid')));
  const numbered = (n: number) => Array.from({ length: n }, (_, i) => `out${i + 1}`);
  const edgeIds = () =>
    ed.page.locator('.react-flow__edge').evaluateAll((els) => els.map((el) => el.getAttribute('data-testid')));
  const wire12 = 'rf__edge-sw:out12->twelve:in';
  try {
    await ed.signIn(session.runtime.token);
    await ed.node('sw').waitFor({ state: 'visible' });
    expect(await handleIds()).toEqual(numbered(16));

    // A real mouse drag from out12: the handle is where React Flow measured it.
    await ed.byTestId('fit').click();
    await ed.settledBox('sw');
    await ed.connect('sw', 'out12', 'twelve', 'in');
    expect(await edgeIds()).toContain(wire12);
    await ed.screenshot('switch-16-outputs');

    // Lowering the count redraws the handles and takes the wire of out12 away with it.
    await ed.select('sw');
    await ed.field('outputs').fill('6');
    await until(async () => (await handleIds()).length === 6, 'six output handles on the switch', 10_000);
    expect(await handleIds()).toEqual(numbered(6));
    expect(await edgeIds()).not.toContain(wire12);
    expect(await edgeIds()).toContain('rf__edge-sw:out1->one:in');
    await ed.screenshot('switch-6-outputs');

    // One undo brings back both the count and the wire.
    await ed.byTestId('undo').click();
    await until(async () => (await handleIds()).length === 16, 'sixteen output handles again', 10_000);
    await until(async () => (await edgeIds()).includes(wire12), 'the out12 wire back after undo', 10_000);

    const { result } = await ed.deploy();
    expect(result).toMatch(/deployed/i);
    const deployed = (await session.runtime.deployedFlow()) as FlowJson;
    expect(deployed.nodes.find((n) => n.id === 'sw')?.config).toMatchObject({ outputs: 16 });
    expect(deployed.edges).toContainEqual(
      expect.objectContaining({ source: 'sw', sourcePort: 'out12', target: 'twelve' }),
    );
    // Messages reach the debug node wired to out12.
    const fromTwelve = ed.page.locator('[data-testid="debug-entry"][data-node-id="twelve"]');
    await until(async () => (await fromTwelve.count()) >= 2, 'debug entries from the out12 wire', 15_000);
  } finally {
    await ed.close();
  }
}, 120_000);
