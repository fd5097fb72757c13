import { createHash } from 'node:crypto';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { buildValidatorModule } from '@tagflow/flow-model';
import type { JSONSchema } from '@tagflow/flow-model';
import type { EngineLogger } from '../engine/types';
import type { PaletteJson } from '../registry/node-registry';

/** Where the editor loads a catalog's validator module: `/editor-validators/<sha256 of its code>.js`. */
export const EDITOR_VALIDATORS_PATH = '/editor-validators';

/** A validator module as served: its code and the URL named by its hash. */
export interface ValidatorModuleFile {
  /** `editor-validators/<sha256>.js`, relative to the runtime's root as the editor's own files are. */
  url: string;
  /** Hex sha256 of `code`. */
  hash: string;
  code: string;
  /** The code compressed, made on first request (about 600 KB for the standard packages: 40 KB as brotli). */
  encoded(encoding: 'br' | 'gzip'): Buffer;
}

/** How many modules stay served after the catalog changed, for editors still holding an older URL. */
const KEPT = 4;

/** What a packed subflow without `params` takes (as flow-model checks it): no parameters. */
const NO_PARAMS = { type: 'object', properties: {} };

/**
 * The editor's config validators for the installed node and resource types, compiled ahead of time
 * (ajv standalone code, see flow-model's `buildValidatorModule`): the editor validates with them
 * without `eval`, under a CSP without 'unsafe-eval'. Built again when the catalog's schemas change
 * (a package installed or removed), which changes the URL; the last few stay served.
 */
export class EditorValidators {
  private fingerprint: string | undefined;
  private latest: ValidatorModuleFile | undefined;
  private readonly byHash = new Map<string, ValidatorModuleFile>();

  constructor(
    private readonly palette: () => PaletteJson,
    private readonly logger?: EngineLogger,
  ) {}

  /** The module for the catalog as it is now (built on first use and after a change). */
  current(palette: PaletteJson = this.palette()): ValidatorModuleFile {
    const schemas = catalogSchemas(palette);
    const fingerprint = JSON.stringify(schemas);
    if (this.latest && fingerprint === this.fingerprint) return this.latest;
    const started = Date.now();
    const built = buildValidatorModule(schemas);
    if (built.leftOut.length > 0)
      this.logger?.warn(
        { schemas: built.leftOut },
        'some config schemas do not compile; the editor leaves those configs to the runtime check',
      );
    const hash = createHash('sha256').update(built.code).digest('hex');
    const file = moduleFile(hash, built.code);
    this.logger?.debug({ hash, bytes: built.code.length, ms: Date.now() - started }, 'editor validators built');
    this.fingerprint = fingerprint;
    this.latest = file;
    this.byHash.delete(hash);
    this.byHash.set(hash, file);
    while (this.byHash.size > KEPT) this.byHash.delete(this.byHash.keys().next().value as string);
    return file;
  }

  /** The module named `hash`, if it is the current one or one of the last few. */
  find(hash: string): ValidatorModuleFile | undefined {
    return this.byHash.get(hash) ?? (this.current().hash === hash ? this.latest : undefined);
  }
}

/** Every schema the editor checks configs against: node and resource configs, packed subflows' params. */
function catalogSchemas(palette: PaletteJson): JSONSchema[] {
  const schemas: JSONSchema[] = [NO_PARAMS];
  for (const node of palette.nodes) {
    schemas.push(node.configSchema);
    const params = node.subflow?.params;
    if (params !== undefined && typeof params === 'object' && params !== null) schemas.push(params);
  }
  for (const resource of palette.resources) schemas.push(resource.configSchema);
  return schemas;
}

function moduleFile(hash: string, code: string): ValidatorModuleFile {
  const encoded = new Map<string, Buffer>();
  return {
    url: `${EDITOR_VALIDATORS_PATH.slice(1)}/${hash}.js`,
    hash,
    code,
    encoded(encoding) {
      let body = encoded.get(encoding);
      if (!body) {
        body =
          encoding === 'br'
            ? brotliCompressSync(code, { params: { [constants.BROTLI_PARAM_QUALITY]: 9 } })
            : gzipSync(code, { level: 9 });
        encoded.set(encoding, body);
      }
      return body;
    },
  };
}
