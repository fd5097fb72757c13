import { createMessage, defineNode } from '@tagflow/node-sdk';
import { nodeDefinitionProblems } from '../src/registry/check-definition';
import { flow, makeEngine, received } from './helpers';

/** Sends each message on `out<payload>`; has as many numbered outputs as `config.outputs` says. */
const fan = defineNode({
  type: 'fan',
  version: 1,
  category: 'processor',
  description: 'sends on the numbered output its payload names',
  inputs: ['in'],
  outputs: [],
  numberedOutputs: { prefix: 'out', countField: 'outputs' },
  configSchema: {
    type: 'object',
    properties: { outputs: { type: 'integer', minimum: 1, maximum: 32, default: 2 } },
    additionalProperties: false,
  },
  create: (ctx) => ({ onMessage: (msg) => void ctx.send(msg, `out${String(msg.payload)}`) }),
});

describe('output ports numbered by the config', () => {
  afterEach(() => received.clear());

  it('routes on the configured ports, drops on an unwired one, and reports a send past the count', async () => {
    const { engine, logger } = makeEngine([fan]);
    const result = await engine.deploy(
      flow(
        [
          { id: 'f', type: 'fan', config: { outputs: 16 } },
          { id: 'twelve', type: 'sink' },
        ],
        ['f:out12->twelve'],
      ),
    );
    expect(result.ok).toBe(true);
    for (const port of [12, 3, 17]) await engine.inject('f', createMessage(port));
    await engine.idle();
    expect(received.get('twelve')?.map((m) => m.payload)).toEqual([12]);
    // out3 exists but is not wired: dropped without an error; out17 is past the count.
    const errors = logger.lines.filter((l) => l.level === 'error').map((l) => l.msg);
    expect(errors).toEqual([
      expect.stringContaining(
        'sent on port "out17", which node type fan does not declare (config field "outputs" gives it 16 numbered outputs)',
      ),
    ]);
    await engine.stop();
  });

  it('refuses a deploy wiring a port past the count and keeps the running flow', async () => {
    const { engine } = makeEngine([fan]);
    const good = flow(
      [
        { id: 'f', type: 'fan', config: { outputs: 3 } },
        { id: 's', type: 'sink' },
      ],
      ['f:out3->s'],
    );
    expect((await engine.deploy(good)).ok).toBe(true);
    const result = await engine.deploy(
      flow(
        [
          { id: 'f', type: 'fan', config: { outputs: 2 } },
          { id: 's', type: 'sink' },
        ],
        ['f:out3->s'],
      ),
    );
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.errors[0].message).toContain(
        '"out3" is not an output port of node "f" (fan); its output ports are "out1" and "out2"',
      );
    await engine.inject('f', createMessage(3));
    await engine.idle();
    expect(received.get('s')?.map((m) => m.payload)).toEqual([3]);
    await engine.stop();
  });
});

describe('the registry check of numberedOutputs', () => {
  const base = {
    type: 'fan',
    version: 1,
    inputs: ['in'],
    outputs: [],
    create: () => ({}),
    configSchema: { type: 'object', properties: { outputs: { type: 'integer', minimum: 1, maximum: 32, default: 2 } } },
  };

  it('accepts a declared count field', () => {
    expect(nodeDefinitionProblems({ ...base, numberedOutputs: { prefix: 'out', countField: 'outputs' } })).toEqual([]);
  });

  it('refuses a function, a missing field and a count without bounds, naming each', () => {
    expect(nodeDefinitionProblems({ ...base, numberedOutputs: () => 3 })).toEqual([
      '`numberedOutputs` must be { prefix: "out", countField: "outputs" } (two texts) when present',
    ]);
    expect(nodeDefinitionProblems({ ...base, numberedOutputs: { prefix: 'out', countField: 'ports' } })).toEqual([
      '`numberedOutputs.countField` "ports" must be a top-level property of `configSchema`',
    ]);
    const unbounded = { ...base, configSchema: { type: 'object', properties: { outputs: { type: 'integer' } } } };
    expect(nodeDefinitionProblems({ ...unbounded, numberedOutputs: { prefix: 'out', countField: 'outputs' } })).toEqual(
      [expect.stringContaining('"maximum": at most 64')],
    );
  });
});
