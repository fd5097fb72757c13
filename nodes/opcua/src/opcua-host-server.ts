import { createHash, timingSafeEqual } from 'node:crypto';
import { join } from 'node:path';
import { NodeError } from '@tagflow/node-sdk';
import type { Message } from '@tagflow/node-sdk';
import {
  DataType,
  makeEUInformation,
  MessageSecurityMode,
  OPCUAServer,
  RegisterServerMethod,
  SecurityPolicy,
  StatusCodes,
  Variant,
  VariantArrayType,
  standardUnits,
} from 'node-opcua';
import { OPCUACertificateManager } from 'node-opcua-certificate-manager';
import type { DataValue, EUInformation, Namespace, StatusCode, UAObject, UAVariable } from 'node-opcua';
import { opcuaErrors } from './error-codes';
import { errorText } from './error-text';
import { foldersOf, NUMERIC_TYPES } from './served-tags';
import type { ServedTag } from './served-tags';
import { fromVariant, toVariant } from './variant-codec';

/** The value a variable of each type holds before the flow sets one (with a Bad status). */
const EMPTY: Readonly<Record<ServedTag['dataType'], unknown>> = {
  Boolean: false,
  SByte: 0,
  Byte: 0,
  Int16: 0,
  UInt16: 0,
  Int32: 0,
  UInt32: 0,
  Int64: [0, 0],
  UInt64: [0, 0],
  Float: 0,
  Double: 0,
  String: '',
  DateTime: new Date(0),
};

/** A client's write to a writable tag, as it goes into the flow. */
export interface TagWrite {
  tag: string;
  payload: unknown;
  /** When the client says it wrote (its source timestamp), else when the server received it. */
  timestamp: number;
}

/** A folder of the address space, kept while tags lie in it. */
interface Folder {
  node: UAObject;
  tags: number;
}

// This module loads node-opcua: the opcua-host resource imports it only when it starts a server.

/**
 * tagflow's own OPC UA server as the opcua-serve nodes use it: one namespace whose variables are
 * the tags the nodes declare. Node ids are `ns=<index>;s=<tag name>`, folders `ns=<index>;s=<path>`.
 */
export class OpcuaHost {
  private readonly owners = new Map<string, string>();
  private readonly folders = new Map<string, Folder>();
  private closed = false;

  constructor(
    private readonly server: OPCUAServer,
    private readonly namespace: Namespace,
    /** The URL clients connect to, e.g. `opc.tcp://127.0.0.1:4840`. */
    readonly endpointUrl: string,
  ) {}

  /** The node id of a tag, e.g. `ns=1;s=Pump3/Flow`. */
  nodeIdOf(tag: string): string {
    return `ns=${this.namespace.index};s=${tag}`;
  }

  /**
   * Adds `tags` to the address space for the node `owner`; `onWrite` receives the clients' writes
   * to the writable ones. A tag another node already serves is refused (`OPCUA_SERVE_TAKEN`), and
   * then none of `tags` is added.
   */
  serve(owner: string, tags: readonly ServedTag[], onWrite: (write: TagWrite) => void): ServedTags {
    for (const tag of tags) {
      const taken = this.owners.get(tag.name);
      if (taken !== undefined)
        throw new NodeError(
          opcuaErrors.code.OPCUA_SERVE_TAKEN,
          `tag "${tag.name}" is already served by node "${taken}" on ${this.endpointUrl}: each tag has one source`,
        );
      for (const folder of foldersOf(tag.name))
        if (this.owners.has(folder))
          throw new NodeError(
            opcuaErrors.code.OPCUA_SERVE_TAKEN,
            `tag "${tag.name}" would lie in "${folder}", which node "${this.owners.get(folder)}" serves as a tag`,
          );
      if (this.folders.has(tag.name))
        throw new NodeError(
          opcuaErrors.code.OPCUA_SERVE_TAKEN,
          `tag "${tag.name}" is already a folder of other tags on ${this.endpointUrl}`,
        );
    }
    const served = new Map<string, ServedVariable>();
    const removeAll = () => {
      for (const variable of served.values()) this.removeVariable(variable);
    };
    try {
      for (const tag of tags) {
        served.set(tag.name, new ServedVariable(tag, this.addVariable(tag), onWrite));
        this.owners.set(tag.name, owner);
      }
    } catch (err) {
      // All of the node's tags or none: a half-built address space would serve a partial plant.
      removeAll();
      throw err;
    }
    return new ServedTags(served, removeAll);
  }

  private addVariable(tag: ServedTag): UAVariable {
    const parts = tag.name.split('/');
    const organizedBy = this.folderFor(parts.slice(0, -1));
    const common = {
      organizedBy,
      browseName: parts[parts.length - 1],
      nodeId: `s=${tag.name}`,
      dataType: tag.dataType,
      description: tag.description,
      accessLevel: tag.writable ? 'CurrentRead | CurrentWrite' : 'CurrentRead',
      userAccessLevel: tag.writable ? 'CurrentRead | CurrentWrite' : 'CurrentRead',
      // 0: clients' monitored items get each change as the flow sets it, not a sample of it.
      minimumSamplingInterval: 0,
    } as const;
    const numeric = NUMERIC_TYPES.includes(tag.dataType);
    // AnalogItemType holds EngineeringUnits and EURange (mandatory there); plain tags are BaseDataVariables.
    const variable =
      numeric && (tag.unit !== undefined || tag.range !== undefined)
        ? this.namespace.addAnalogDataItem({
            ...common,
            engineeringUnitsRange: tag.range ?? { low: -Number.MAX_VALUE, high: Number.MAX_VALUE },
            // node-opcua refuses a client's write outside the InstrumentRange (BadOutOfRange) before
            // it is applied: for a writable tag, the range is what a client may write.
            ...(tag.writable && tag.range !== undefined ? { instrumentRange: tag.range } : {}),
            ...(tag.unit === undefined ? {} : { engineeringUnits: engineeringUnits(tag.unit) }),
          })
        : this.namespace.addVariable(common);
    // No value until the flow sends one: the status says BadWaitingForInitialData, so the zero a
    // variant of the type must hold is never taken for a measurement.
    variable.setValueFromSource(
      new Variant({ dataType: DataType[tag.dataType], arrayType: VariantArrayType.Scalar, value: EMPTY[tag.dataType] }),
      StatusCodes.BadWaitingForInitialData,
    );
    return variable;
  }

  private folderFor(path: readonly string[]): UAObject {
    let parent = this.namespace.addressSpace.rootFolder.objects as UAObject;
    for (let i = 0; i < path.length; i++) {
      const id = path.slice(0, i + 1).join('/');
      let folder = this.folders.get(id);
      if (!folder) {
        folder = {
          node: this.namespace.addFolder(parent, { browseName: path[i], nodeId: `s=${id}` }),
          tags: 0,
        };
        this.folders.set(id, folder);
      }
      folder.tags++;
      parent = folder.node;
    }
    return parent;
  }

  private removeVariable(served: ServedVariable): void {
    served.detach();
    this.owners.delete(served.tag.name);
    if (this.closed) return;
    this.namespace.addressSpace.deleteNode(served.variable);
    // Innermost folder first, so a folder is empty of folders when it goes.
    for (const id of foldersOf(served.tag.name).reverse()) {
      const folder = this.folders.get(id);
      if (!folder) continue;
      folder.tags--;
      if (folder.tags === 0) {
        this.folders.delete(id);
        this.namespace.addressSpace.deleteNode(folder.node);
      }
    }
  }

  /** Stops the server: clients are disconnected. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.server.shutdown(0);
  }
}

/** The tags one opcua-serve node serves: updated from its messages, removed when it closes. */
export class ServedTags {
  private removed = false;

  constructor(
    private readonly variables: ReadonlyMap<string, ServedVariable>,
    private readonly onRemove: () => void,
  ) {}

  /** Sets the tag named by `msg.topic` from the message; throws a NodeError when it cannot. */
  update(msg: Message): void {
    const variable = msg.topic === undefined ? undefined : this.variables.get(msg.topic);
    if (!variable)
      throw new NodeError(
        opcuaErrors.code.OPCUA_SERVE_UNKNOWN_TAG,
        `topic ${JSON.stringify(msg.topic ?? null)} is not one of the served tags (${[...this.variables.keys()].join(', ')}): the message is not served`,
      );
    variable.update(msg);
  }

  /** Takes the tags out of the address space. Idempotent. */
  remove(): void {
    if (this.removed) return;
    this.removed = true;
    this.onRemove();
  }
}

/** One tag's variable: flow values go in, client writes come out. */
class ServedVariable {
  /** True while the flow sets the value, so that its own change is not taken for a client write. */
  private fromFlow = false;
  private readonly listener = (dataValue: DataValue) => {
    if (this.fromFlow) return;
    this.onWrite({
      tag: this.tag.name,
      payload: fromVariant(dataValue.value),
      timestamp: dataValue.sourceTimestamp?.getTime() ?? Date.now(),
    });
  };

  constructor(
    readonly tag: ServedTag,
    readonly variable: UAVariable,
    private readonly onWrite: (write: TagWrite) => void,
  ) {
    // Only client writes change a variable other than through update(): they raise value_changed.
    if (tag.writable) variable.on('value_changed', this.listener);
  }

  update(msg: Message): void {
    const status = statusOf(msg);
    let variant: Variant;
    if (msg.quality === 'bad' && (msg.payload === null || msg.payload === undefined)) {
      // A bad value carries no number (opcua-subscribe sends null): keep the last one, marked bad.
      variant = this.variable.readValue().value;
    } else {
      try {
        variant = toVariant(msg.payload, this.tag.dataType, `tag "${this.tag.name}"`);
      } catch (err) {
        if (!(err instanceof NodeError)) throw err;
        const expected = (err.details as { expected?: string } | undefined)?.expected ?? this.tag.dataType;
        throw new NodeError(
          opcuaErrors.code.OPCUA_SERVE_VALUE,
          `tag "${this.tag.name}" (${this.tag.dataType}) cannot hold ${shown(msg.payload)}: expected ${expected}; it keeps its last value`,
        );
      }
    }
    const timestamp = Number.isFinite(msg.timestamp) ? new Date(msg.timestamp) : new Date();
    this.fromFlow = true;
    try {
      this.variable.setValueFromSource(variant, status, timestamp);
    } finally {
      this.fromFlow = false;
    }
  }

  detach(): void {
    this.variable.removeListener('value_changed', this.listener);
  }
}

/** The status code a message's quality stands for; its own `statusCode` name when it has one of that severity. */
function statusOf(msg: Message): StatusCode {
  const named =
    typeof msg.statusCode === 'string'
      ? (StatusCodes as unknown as Record<string, StatusCode | undefined>)[msg.statusCode]
      : undefined;
  const severity = { good: 0, uncertain: 1, bad: 2 }[msg.quality] ?? 2;
  if (named && typeof named.value === 'number' && Math.min(named.value >>> 30, 2) === severity) return named;
  if (msg.quality === 'good') return StatusCodes.Good;
  if (msg.quality === 'uncertain') return StatusCodes.Uncertain;
  return StatusCodes.Bad;
}

/** EngineeringUnits for a unit symbol: the UNECE unit when node-opcua knows the symbol, else the symbol alone. */
function engineeringUnits(symbol: string): EUInformation {
  const known = (Object.values(standardUnits) as EUInformation[]).find((unit) => unit.displayName.text === symbol);
  if (known) return known;
  const unit = makeEUInformation('', symbol, symbol);
  unit.unitId = -1; // OPC UA's "no UNECE code" for a unit node-opcua does not list
  return unit;
}

function shown(value: unknown): string {
  try {
    return (JSON.stringify(value) ?? String(value)).slice(0, 60);
  } catch (err) {
    // A value JSON cannot show (a cycle, a BigInt) is named by its type.
    return `a ${typeof value} (${(err as Error).name})`;
  }
}

/** How to start tagflow's own OPC UA server (the opcua-host resource's config, secrets resolved). */
export interface OpcuaHostOptions {
  /** The resource id, for messages. */
  id: string;
  host: string;
  port: number;
  securityModes: readonly ('None' | 'Sign' | 'SignAndEncrypt')[];
  securityPolicies: readonly string[];
  allowAnonymous: boolean;
  /** User names with their passwords (already read from the secrets). */
  users: ReadonlyMap<string, string>;
  autoAcceptClientCertificates: boolean;
  namespaceUri: string;
  /** The server's certificate store (own/, trusted/, rejected/). */
  pkiFolder: string;
}

/** Starts the server, listening; throws a NodeError (`OPCUA_HOST_START`) in plain words when it cannot. */
export async function startOpcuaHost(o: OpcuaHostOptions): Promise<OpcuaHost> {
  const where = `${o.host.includes(':') ? `[${o.host}]` : o.host}:${o.port}`;
  const serverCertificateManager = new OPCUACertificateManager({
    rootFolder: o.pkiFolder,
    automaticallyAcceptUnknownCertificate: o.autoAcceptClientCertificates,
  });
  // node-opcua always offers X.509 user tokens: a certificate logs in only if trusted in users/trusted
  // (none is by default). The store is kept in the data dir, not node-opcua's default in $HOME.
  const userCertificateManager = new OPCUACertificateManager({
    rootFolder: join(o.pkiFolder, 'users'),
    automaticallyAcceptUnknownCertificate: false,
  });
  const policies = o.securityPolicies.map((p) => SecurityPolicy[p as keyof typeof SecurityPolicy]);
  if (o.securityModes.includes('None')) policies.push(SecurityPolicy.None);
  const wildcard = o.host === '0.0.0.0' || o.host === '::';
  const server = new OPCUAServer({
    port: o.port,
    host: o.host,
    // Endpoints name the address clients reach; on all interfaces, the machine's name (node-opcua's default).
    ...(wildcard ? {} : { hostname: o.host }),
    serverCertificateManager,
    userCertificateManager,
    securityModes: o.securityModes.map((m) => MessageSecurityMode[m]),
    securityPolicies: policies,
    allowAnonymous: o.allowAnonymous,
    userManager: {
      isValidUser: (userName: string, password: string) => passwordMatches(o.users.get(userName), password),
    },
    buildInfo: { productName: 'tagflow', manufacturerName: 'tagflow' },
    serverInfo: { applicationName: { text: `tagflow ${o.id}` } },
    registerServerMethod: RegisterServerMethod.HIDDEN,
  });
  try {
    await server.initialize();
    const namespace = server.engine.addressSpace?.registerNamespace(o.namespaceUri);
    if (!namespace) throw new Error('the server has no address space');
    await server.start();
    return new OpcuaHost(server, namespace, `opc.tcp://${where}`);
  } catch (err) {
    await server.shutdown(0).catch((cleanup: unknown) => {
      // The start failed already; a failing clean-up must not hide why.
      process.stderr.write(`[opcua-host ${o.id}] clean-up after a failed start failed: ${String(cleanup)}\n`);
    });
    const text = errorText(err);
    const why = /EADDRINUSE/.test(text)
      ? 'the port is in use by another program (another OPC UA server?): choose another port'
      : /EADDRNOTAVAIL/.test(text)
        ? `${o.host} is not an address of this machine`
        : text;
    throw new NodeError(opcuaErrors.code.OPCUA_HOST_START, `cannot serve OPC UA on ${where}: ${why}`);
  }
}

/** Compares in constant time (over SHA-256 digests, so lengths do not leak either). */
function passwordMatches(expected: string | undefined, given: string): boolean {
  if (expected === undefined) return false;
  const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();
  return timingSafeEqual(digest(expected), digest(given));
}
