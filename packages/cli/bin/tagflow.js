#!/usr/bin/env node
// A committed launcher, so package managers can link the bin before `dist/` is built. Node's
// start-up snapshot stays on: it starts about a third faster. isolated-vm (the function node's
// sandbox) asks for `--no-node-snapshot` on Node >= 20; the processes that may run it get the flag:
// `tagflow start`'s engine process always, `tagflow run` when its flow has a function node or a
// node package not tagflow's own (it starts again with the flag: src/snapshot-flag.ts).
// An older Node would fail later with a native-addon version error that says nothing useful; before
// 22.13, the local historian's node:sqlite is behind a flag. As package.json's engines.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 13)) {
  process.stderr.write(
    `error: tagflow needs Node.js 24 (or 22.13 or later); this is Node.js ${process.version}.\n` +
      'In a clone of the repository, run scripts/tagflow, which uses the Node.js that the bootstrap put in .tools/.\n',
  );
  process.exit(1);
}
require('../dist/bin.js');
