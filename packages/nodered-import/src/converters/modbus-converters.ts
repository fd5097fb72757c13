import type { ConverterResult, ConvertContext, NodeConversion, ResourceConversion } from '../conversion';
import { defined, simple, tagflowNode } from '../conversion';
import type { NodeRedObject } from '../nodered-export';
import { numberOf, textOf } from '../nodered-export';
import { durationMs } from './timing-converters';

/** node-red-contrib-modbus data types -> tagflow tables. */
const READ_TABLES: Record<string, string> = {
  Coil: 'coil',
  Input: 'discrete-input',
  HoldingRegister: 'holding-register',
  InputRegister: 'input-register',
};

const USE_MODBUS = 'a modbus-read node (it polls) with a modbus-device resource';

/**
 * modbus-read (node-red-contrib-modbus) -> `modbus-read` polling the same range, plus a `change`
 * node that turns its `{ r<address>: value }` payload into Node-RED's list of values.
 */
export function convertModbusRead(node: NodeRedObject, ctx: ConvertContext): ConverterResult {
  const every = durationMs(node.rate, node.rateUnit, 's');
  return readRange(node, ctx, every, []);
}

/** modbus-getter reads when a message arrives; tagflow's modbus-read polls on its own instead. */
export function convertModbusGetter(node: NodeRedObject, ctx: ConvertContext): ConverterResult {
  return readRange(node, ctx, 1000, [
    'it polls every second instead of reading when a message arrives (tagflow\'s modbus-read has no input): wires into it are dropped; set "Poll every" to suit',
  ]);
}

function readRange(
  node: NodeRedObject,
  ctx: ConvertContext,
  intervalMs: number | undefined,
  differences: string[],
): ConverterResult {
  const table = READ_TABLES[textOf(node.dataType) ?? ''];
  if (table === undefined)
    return { notConverted: `it reads the data type "${String(node.dataType)}"`, useInstead: USE_MODBUS };
  const address = numberOf(node.adr);
  const quantity = Math.max(1, Math.round(numberOf(node.quantity) ?? 1));
  if (address === undefined) return { notConverted: 'its address is not a number', useInstead: USE_MODBUS };
  const device = ctx.resource(node.server, ['modbus-device'], unitVariant(node));
  if ('problem' in device) return { notConverted: device.problem, useInstead: USE_MODBUS };
  const bits = table === 'coil' || table === 'discrete-input';
  const names = Array.from({ length: quantity }, (_, i) => `r${address + i}`);
  const tags = names.map((name, i) => ({
    name,
    function: table,
    address: address + i,
    type: bits ? 'bool' : 'uint16',
  }));
  const read = tagflowNode(
    node.id,
    'modbus-read',
    defined({
      device: device.id,
      intervalMs: intervalMs !== undefined ? Math.max(10, Math.round(intervalMs)) : undefined,
      output: 'object',
      tags,
    }),
    node,
  );
  const listId = `${node.id}-values`;
  const list = tagflowNode(
    listId,
    'change',
    {
      rules: [
        {
          action: 'set',
          property: 'payload',
          value: { type: 'jsonata', value: `[${names.map((n) => `payload.${n}`).join(', ')}]` },
        },
        ...(textOf(node.topic)
          ? [{ action: 'set', property: 'topic', value: { type: 'literal', value: node.topic } }]
          : []),
      ],
    },
    node,
    { name: `${node.name || 'modbus'}: values as a list`, ui: read.ui && { x: (read.ui.x ?? 0) + 140, y: read.ui.y } },
  );
  differences.push('its second output (the raw Modbus response) is not kept');
  const conversion: NodeConversion = {
    nodes: [read, list],
    edges: [{ source: read.id, sourcePort: 'out', target: listId, targetPort: 'in' }],
    outputs: [{ node: listId, port: 'out' }],
    differences,
  };
  return conversion;
}

/** modbus-flex-getter takes its address from each message: nothing static to poll. */
export function convertModbusFlexGetter(): ConverterResult {
  return {
    notConverted: "it reads the addresses each message asks for, and tagflow's modbus-read reads a fixed list of tags",
    useInstead: `${USE_MODBUS}, listing the addresses the flex-getter was asked for`,
  };
}

/** modbus-write -> `modbus-write` of one coil or holding register. */
export function convertModbusWrite(node: NodeRedObject, ctx: ConvertContext): ConverterResult {
  const dataType = textOf(node.dataType) ?? '';
  const quantity = Math.round(numberOf(node.quantity) ?? 1);
  const single: Record<string, string> = {
    Coil: 'coil',
    HoldingRegister: 'holding-register',
    MCoils: 'coil',
    MHoldingRegisters: 'holding-register',
  };
  const table = single[dataType];
  if (table === undefined || (dataType.startsWith('M') && quantity > 1))
    return {
      notConverted: `it writes ${dataType.startsWith('M') ? `${quantity} values at once` : `the data type "${dataType}"`}`,
      useInstead: 'one modbus-write node per coil or register (a 32-bit value: one node with type float32, int32...)',
    };
  const address = numberOf(node.adr);
  if (address === undefined) return { notConverted: 'its address is not a number', useInstead: 'a modbus-write node' };
  const device = ctx.resource(node.server, ['modbus-device'], unitVariant(node));
  if ('problem' in device)
    return { notConverted: device.problem, useInstead: 'a modbus-write node with a modbus-device resource' };
  const config = { device: device.id, function: table, address, type: table === 'coil' ? 'bool' : 'uint16' };
  return simple(
    tagflowNode(node.id, 'modbus-write', config, node),
    ['it has no outputs: wires from it are dropped'],
    false,
  );
}

/** A node's own unit id, when it sets one (it overrides the client's). */
function unitVariant(node: NodeRedObject): string | undefined {
  const unit = numberOf(node.unitid);
  return unit === undefined ? undefined : String(unit);
}

/** modbus-client config -> `modbus-device` resource (one per unit id the nodes use). */
export function convertModbusClient(config: NodeRedObject, id: string, variant?: string): ResourceConversion {
  const differences: string[] = [];
  const type = textOf(config.clienttype) ?? 'tcp';
  const unitId = numberOf(variant) ?? numberOf(config.unit_id) ?? 1;
  const timeout = numberOf(config.clientTimeout);
  const common = defined({
    unitId,
    timeoutMs: timeout !== undefined ? Math.min(60000, Math.max(10, timeout)) : undefined,
  });
  let deviceConfig: Record<string, unknown>;
  if (type === 'tcp') {
    if ((textOf(config.tcpType) ?? 'DEFAULT') !== 'DEFAULT')
      differences.push(`the TCP variant ${String(config.tcpType)} is not kept: plain Modbus TCP`);
    deviceConfig = defined({
      transport: 'tcp',
      host: textOf(config.tcpHost) || '127.0.0.1',
      port: numberOf(config.tcpPort),
      ...common,
    });
  } else {
    const parity = textOf(config.serialParity);
    deviceConfig = defined({
      transport: 'rtu',
      serialPath: textOf(config.serialPort) || '/dev/ttyUSB0',
      baudRate: numberOf(config.serialBaudrate),
      parity: parity && ['none', 'even', 'odd', 'mark', 'space'].includes(parity) ? parity : undefined,
      dataBits: numberOf(config.serialDatabits),
      stopBits: numberOf(config.serialStopbits),
      ...common,
    });
    if (textOf(config.serialType) === 'ASCII')
      differences.push('Modbus ASCII is not supported: the device is spoken to in RTU');
  }
  const commandDelay = numberOf(config.commandDelay);
  if (commandDelay !== undefined && commandDelay > 0) deviceConfig.minGapMs = Math.min(10000, Math.round(commandDelay));
  const name = textOf(config.name);
  return {
    resource: { id, type: 'modbus-device', ...(name ? { name } : {}), config: deviceConfig },
    differences,
    secrets: [],
  };
}
