import type { NodeConverter, ResourceConverter } from '../conversion';
import { convertChange } from './change-converter';
import { convertFile, convertJoin, convertJson, convertSplit } from './data-converters';
import {
  convertCatch,
  convertDebug,
  convertLinkCall,
  convertLinkIn,
  convertLinkOut,
  convertStatus,
} from './flow-control-converters';
import { convertFunction } from './function-converter';
import { convertInject } from './inject-converter';
import {
  convertModbusClient,
  convertModbusFlexGetter,
  convertModbusGetter,
  convertModbusRead,
  convertModbusWrite,
} from './modbus-converters';
import { convertMqttBroker, convertMqttIn, convertMqttOut } from './mqtt-converters';
import { convertRange, convertRbe, convertSmooth } from './number-converters';
import { convertOpcuaClient, convertOpcuaEndpoint, convertOpcuaItem } from './opcua-converters';
import { convertSwitch } from './switch-converter';
import { convertDelay, convertTrigger } from './timing-converters';

/** Node-RED flow node type -> its converter. */
export const NODE_CONVERTERS: Readonly<Record<string, NodeConverter>> = {
  inject: convertInject,
  debug: convertDebug,
  function: convertFunction,
  switch: convertSwitch,
  change: convertChange,
  range: convertRange,
  rbe: convertRbe,
  filter: convertRbe, // rbe's name since Node-RED 3
  smooth: convertSmooth,
  delay: convertDelay,
  trigger: convertTrigger,
  catch: convertCatch,
  status: convertStatus,
  'link in': convertLinkIn,
  'link out': convertLinkOut,
  'link call': convertLinkCall,
  json: convertJson,
  split: convertSplit,
  join: convertJoin,
  file: convertFile,
  'mqtt in': convertMqttIn,
  'mqtt out': convertMqttOut,
  'modbus-read': convertModbusRead,
  'modbus-getter': convertModbusGetter,
  'modbus-flex-getter': convertModbusFlexGetter,
  'modbus-write': convertModbusWrite,
  'OpcUa-Item': convertOpcuaItem,
  'OpcUa-Client': convertOpcuaClient,
};

/** Node-RED config node type -> the resource it becomes. */
export const RESOURCE_CONVERTERS: Readonly<Record<string, { type: string; convert: ResourceConverter }>> = {
  'mqtt-broker': { type: 'mqtt-broker', convert: convertMqttBroker },
  'modbus-client': { type: 'modbus-device', convert: convertModbusClient },
  'OpcUa-Endpoint': { type: 'opcua-server', convert: convertOpcuaEndpoint },
};

/** What to use instead of a Node-RED node type we know has no tagflow equivalent (yet). */
export const KNOWN_UNSUPPORTED: Readonly<Record<string, string>> = {
  exec: 'a function node for computations (tagflow flows cannot run programs, by design)',
  template: 'a change node with a JSONata expression, or a function node',
  'http in': 'MQTT nodes (tagflow has no HTTP server nodes yet)',
  'http request': 'MQTT nodes (tagflow has no HTTP request node yet)',
  'http response': 'MQTT nodes (tagflow has no HTTP server nodes yet)',
  'file in': 'a source node of the device itself (tagflow has no file reading node yet)',
  'tcp in': 'MQTT or Modbus nodes',
  'tcp out': 'MQTT or Modbus nodes',
  'tcp request': 'MQTT or Modbus nodes',
  'udp in': 'MQTT or Modbus nodes',
  'udp out': 'MQTT or Modbus nodes',
  sort: 'a function node',
  batch: 'an aggregate node',
  csv: 'a function node',
  xml: 'a function node',
  yaml: 'a function node',
  html: 'a function node',
  complete: 'a catch or status node',
  'websocket in': 'MQTT nodes',
  'websocket out': 'MQTT nodes',
};

/** Dashboard nodes (node-red-dashboard `ui_*`, FlowFuse Dashboard `ui-*`): out of scope. */
export function isDashboardType(type: string): boolean {
  return /^ui[_-]/.test(type);
}
