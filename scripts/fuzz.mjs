// `pnpm fuzz`: the property-based tests of packages/fuzz with a long budget and a random seed
// (the test suite runs them short, with a fixed seed). Arguments go to Jest, e.g.
// `pnpm fuzz -t 'validate answers'`. Settings, from the environment:
//   FUZZ_FOR   time per property (default 1m), e.g. 90s, 10m
//   FUZZ_RUNS  runs per property instead of a time limit
//   FUZZ_SEED, FUZZ_PATH   replay a failure, as printed under it
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const seed = process.env.FUZZ_SEED ?? String((Date.now() ^ Math.floor(Math.random() * 0x7fffffff)) | 0);
console.log(
  `fuzz seed ${seed}, ${process.env.FUZZ_RUNS ? `${process.env.FUZZ_RUNS} runs` : `${process.env.FUZZ_FOR ?? '1m'}`} per property`,
);
const jest = spawnSync(
  join(root, 'node_modules', '.bin', 'jest'),
  ['--projects', 'packages/fuzz', '--runInBand', ...process.argv.slice(2)],
  {
    cwd: root,
    stdio: 'inherit',
    env: {
      ...process.env,
      FUZZ_LONG: '1',
      FUZZ_SEED: seed,
      // isolated-vm (the function node) needs Node's startup snapshot off.
      NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --no-node-snapshot`.trim(),
    },
  },
);
if (jest.status !== 0)
  console.error(`fuzz seed was ${seed}: a failure above prints FUZZ_SEED and FUZZ_PATH to replay it`);
process.exit(jest.status ?? 1);
