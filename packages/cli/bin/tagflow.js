#!/usr/bin/env -S node --no-node-snapshot
// A committed launcher, so package managers can link the bin before `dist/` is built. The flag:
// isolated-vm (the function node's sandbox) must not share Node's startup snapshot on Node >= 20.
// An older Node would fail later with a native-addon version error that says nothing useful.
const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  process.stderr.write(
    `error: tagflow needs Node.js 24 (or 22); this is Node.js ${process.version}.\n` +
      'In a clone of the repository, run scripts/tagflow, which uses the Node.js that the bootstrap put in .tools/.\n',
  );
  process.exit(1);
}
require('../dist/bin.js');
