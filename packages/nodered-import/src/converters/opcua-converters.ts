import type { ConverterResult, ConvertContext, ResourceConversion } from '../conversion';
import { defined, simple, tagflowNode } from '../conversion';
import type { NodeRedObject } from '../nodered-export';
import { isRecord, numberOf, textOf } from '../nodered-export';
import { secretName } from '../secret-name';
import { durationMs } from './timing-converters';

/**
 * OpcUa-Item (node-red-contrib-opcua) -> a `change` node setting msg.topic to the node id (and
 * msg.payload to the item's value, when it has one), which is what the item does before a client.
 */
export function convertOpcuaItem(node: NodeRedObject): ConverterResult {
  const item = textOf(node.item);
  if (!item)
    return { notConverted: 'it names no node id', useInstead: 'a change node setting msg.topic to the node id' };
  const rules: Array<Record<string, unknown>> = [
    { action: 'set', property: 'topic', value: { type: 'literal', value: item } },
  ];
  if (textOf(node.datatype))
    rules.push({ action: 'set', property: 'datatype', value: { type: 'literal', value: node.datatype } });
  const value = textOf(node.value);
  if (value !== undefined && value !== '') {
    const n = numberOf(value);
    const typed = value === 'true' ? true : value === 'false' ? false : n !== undefined ? n : value;
    rules.push({ action: 'set', property: 'payload', value: { type: 'literal', value: typed } });
  }
  return simple(tagflowNode(node.id, 'change', { rules }, node));
}

/** OpcUa-Client: its action decides the tagflow node (read, write, subscribe). */
export function convertOpcuaClient(node: NodeRedObject, ctx: ConvertContext): ConverterResult {
  const action = textOf(node.action) ?? 'read';
  const server = ctx.resource(node.endpoint, ['opcua-server']);
  if ('problem' in server)
    return { notConverted: server.problem, useInstead: 'an opcua node with an opcua-server resource' };
  if (action === 'read') {
    // Node-RED reads the node id in msg.topic; tagflow's opcua-read reads it from msg.payload (a text).
    const setId = `${node.id}-node-id`;
    const set = tagflowNode(
      setId,
      'change',
      { rules: [{ action: 'set', property: 'payload', value: { type: 'property', value: 'topic' } }] },
      node,
      {
        name: `${node.name || 'opcua read'}: node id from msg.topic`,
      },
    );
    const read = tagflowNode(node.id, 'opcua-read', { server: server.id }, node, {
      ui: set.ui && { x: (set.ui.x ?? 0) + 140, y: set.ui.y },
    });
    return {
      nodes: [read, set],
      edges: [{ source: setId, sourcePort: 'out', target: read.id, targetPort: 'in' }],
      input: { node: setId, port: 'in' },
      outputs: [{ node: read.id, port: 'out' }],
      differences: [],
    };
  }
  if (action === 'write') {
    const items = itemsBefore(node, ctx);
    const types = [...new Set(items.map((i) => textOf(i.datatype)).filter((t): t is string => !!t))];
    const dataType = types.length === 1 && WRITE_TYPES.has(types[0]) ? types[0] : undefined;
    const differences = dataType ? [] : ['the data type is read from the variable (auto), not from msg.datatype'];
    return simple(tagflowNode(node.id, 'opcua-write', defined({ server: server.id, dataType }), node), differences);
  }
  if (action === 'subscribe' || action === 'monitor') {
    const items = itemsBefore(node, ctx);
    if (items.length === 0)
      return {
        notConverted: 'it subscribes to node ids chosen by messages, with no OpcUa-Item before it',
        useInstead: 'an opcua-subscribe node listing its variables',
      };
    const interval = durationMs(node.time, node.timeUnit, 's');
    const config = defined({
      server: server.id,
      items: items.map((i) => defined({ nodeId: textOf(i.item), name: textOf(i.name) || undefined })),
      publishingIntervalMs: interval !== undefined ? Math.max(10, Math.round(interval)) : undefined,
      deadbandType: action === 'monitor' ? (textOf(node.deadbandtype) === 'p' ? 'Percent' : 'Absolute') : undefined,
      deadbandValue: action === 'monitor' ? numberOf(node.deadbandvalue) : undefined,
    });
    const converted = tagflowNode(node.id, 'opcua-subscribe', config, node);
    return {
      nodes: [converted],
      outputs: [{ node: node.id, port: 'out' }],
      differences: [
        `it monitors the variables of the OpcUa-Item nodes before it (${items.map((i) => String(i.item)).join(', ')}) from the start; wires into it are dropped`,
      ],
    };
  }
  return {
    notConverted: `its action "${action}" has no tagflow node`,
    useInstead: 'opcua-read, opcua-write or opcua-subscribe',
  };
}

const WRITE_TYPES = new Set([
  'Boolean',
  'SByte',
  'Byte',
  'Int16',
  'UInt16',
  'Int32',
  'UInt32',
  'Int64',
  'UInt64',
  'Float',
  'Double',
  'String',
  'DateTime',
  'LocalizedText',
]);

/** The OpcUa-Item nodes wired straight into `node`. */
function itemsBefore(node: NodeRedObject, ctx: ConvertContext): NodeRedObject[] {
  return ctx.predecessors(node.id).filter((p) => p.type === 'OpcUa-Item' && textOf(p.item));
}

const SECURITY_MODES: Record<string, string> = {
  None: 'None',
  NONE: 'None',
  Sign: 'Sign',
  SIGN: 'Sign',
  SignAndEncrypt: 'SignAndEncrypt',
  SIGNANDENCRYPT: 'SignAndEncrypt',
};
const POLICIES = new Set(['None', 'Basic256Sha256', 'Aes128_Sha256_RsaOaep', 'Aes256_Sha256_RsaPss']);

/** OpcUa-Endpoint config -> `opcua-server` resource; a password becomes a secret's name. */
export function convertOpcuaEndpoint(config: NodeRedObject, id: string): ResourceConversion {
  const differences: string[] = [];
  const secrets: ResourceConversion['secrets'] = [];
  const endpointUrl = textOf(config.endpoint) ?? '';
  const mode = SECURITY_MODES[textOf(config.secmode) ?? 'None'] ?? 'None';
  const policy = textOf(config.secpol);
  const credentials = isRecord(config.credentials) ? config.credentials : {};
  const user = textOf(credentials.user) || textOf(config.user) || undefined;
  let passwordEnv: string | undefined;
  if (config.login === true || user !== undefined) {
    passwordEnv = secretName(config.name || id, 'OPCUA', 'PASSWORD');
    secrets.push({
      name: passwordEnv,
      for: `the password of OPC UA server ${endpointUrl}${user ? ` (user ${user})` : ''}`,
    });
  }
  if (mode !== 'None') differences.push("certificates: trust the server's certificate in <data dir>/opcua-pki");
  const name = textOf(config.name);
  return {
    resource: {
      id,
      type: 'opcua-server',
      ...(name ? { name } : {}),
      config: defined({
        endpointUrl,
        securityMode: mode,
        securityPolicy: policy && POLICIES.has(policy) ? policy : undefined,
        userName: passwordEnv ? (user ?? 'user') : undefined,
        passwordEnv,
      }),
    },
    differences,
    secrets,
  };
}
