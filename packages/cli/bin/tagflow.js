#!/usr/bin/env -S node --no-node-snapshot
// A committed launcher, so package managers can link the bin before `dist/` is built. The flag:
// isolated-vm (the function node's sandbox) must not share Node's startup snapshot on Node >= 20.
require('../dist/bin.js');
