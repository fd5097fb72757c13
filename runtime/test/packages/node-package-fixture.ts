import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** What a generated fixture node package looks like. */
export interface FixturePackage {
  name: string;
  version: string;
  /** Node types; each passes messages through and tags them with its type. */
  types: string[];
  /** Peer range for @tagflow/node-sdk (default ^0.1.0). */
  sdkRange?: string;
  /** A module that throws while loading, as a package with a bug would. */
  throwOnLoad?: string;
}

/**
 * Writes a built node package (CommonJS, no dependencies, so npm never needs a registry) into
 * `<root>/<folder>` and returns its folder. Its modules require @tagflow/node-sdk, as real
 * packages do, so the test also proves the runtime's SDK resolves from the data dir.
 */
export function writeNodePackage(root: string, pkg: FixturePackage): string {
  const dir = path.join(root, `${pkg.name.replace(/[@/]/g, '_')}-${pkg.version}`);
  mkdirSync(path.join(dir, 'lib'), { recursive: true });
  const modules = pkg.types.map((type) => `lib/${type}.node.js`);
  writeFileSync(
    path.join(dir, 'package.json'),
    JSON.stringify({
      name: pkg.name,
      version: pkg.version,
      keywords: ['tagflow-nodes'],
      files: ['lib'],
      tagflow: { nodes: modules },
      peerDependencies: { '@tagflow/node-sdk': pkg.sdkRange ?? '^0.1.0' },
      devDependencies: { '@tagflow/node-sdk': 'workspace:^' },
    }),
  );
  for (const type of pkg.types) {
    const body =
      type === pkg.throwOnLoad
        ? `throw new Error('${type} cannot find its calibration table');`
        : `const { defineNode } = require('@tagflow/node-sdk');
module.exports = defineNode({
  type: '${type}', version: 1, category: 'processor', description: '${type} from ${pkg.name} ${pkg.version}',
  configSchema: { type: 'object', properties: {}, additionalProperties: false },
  inputs: ['in'], outputs: ['out'],
  create(ctx) { return { onMessage(msg) { ctx.send({ ...msg, payload: { value: msg.payload, by: '${type}@${pkg.version}' } }); } }; },
});`;
    writeFileSync(path.join(dir, 'lib', `${type}.node.js`), `'use strict';\n${body}\n`);
  }
  return dir;
}

/** `npm pack` of a fixture folder into `dest`; returns the .tgz and npm's integrity for it. */
export function packFixture(dir: string, dest: string): { file: string; integrity: string } {
  mkdirSync(dest, { recursive: true });
  const out = execFileSync(
    'npm',
    ['pack', dir, '--pack-destination', dest, '--json', '--ignore-scripts', '--loglevel=error'],
    { cwd: dest, encoding: 'utf8' },
  );
  const [first] = JSON.parse(out) as Array<{ filename: string; integrity: string }>;
  return {
    file: path.join(dest, (first as { filename: string }).filename.replace(/^@/, '').replace(/\//g, '-')),
    integrity: (first as { integrity: string }).integrity,
  };
}
