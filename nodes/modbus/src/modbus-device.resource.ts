import { defineResource, refuseConfig } from '@tagflow/node-sdk';
import type { ConfigProblem } from '@tagflow/node-sdk';
import { modbusErrors } from './error-codes';

export default defineResource({
  type: 'modbus-device',
  version: 1,
  description:
    'A Modbus device (TCP or RTU over a serial line), one connection shared by the Modbus nodes that name it.',
  docs: [
    'One connection to a Modbus device (or a TCP gateway in front of serial devices), shared by every',
    '`modbus-read` and `modbus-write` node that names the resource. modbus-serial handles one request',
    'at a time, so the requests of all these nodes are queued and sent one after the other.',
    '',
    '## Connection problems',
    '',
    'A failed connect is reported in plain words (`cannot connect to 10.0.0.5:502: connect',
    'ECONNREFUSED 10.0.0.5:502`) and retried by the runtime with backoff; a deploy does not wait for',
    'it. A socket closed by the device, or `timeoutsBeforeReconnect` timeouts in a row (a device or',
    'gateway that hangs with the socket open), count as a lost connection: what is queued fails with',
    '`MODBUS_DISCONNECTED`, and the runtime reconnects. A Modbus exception (e.g. `Modbus exception 2:',
    'Illegal data address`) is an answer: it fails that request (`MODBUS_EXCEPTION`) and keeps the',
    'connection.',
    '',
    '## RTU',
    '',
    "RTU uses modbus-serial's `connectRTUBuffered`; it is tested against a pymodbus RTU server over a",
    'pseudo-terminal serial line (8N1), not against a physical RS-485 device.',
    '',
    '## Example',
    '',
    'A meter on an RS-485 line, unit 7, 19200 baud, even parity:',
    '',
    '```json',
    '{',
    '  "id": "meter",',
    '  "type": "modbus-device",',
    '  "config": {',
    '    "transport": "rtu",',
    '    "serialPath": "/dev/ttyUSB0",',
    '    "baudRate": 19200,',
    '    "parity": "even",',
    '    "unitId": 7,',
    '    "minGapMs": 20',
    '  }',
    '}',
    '```',
  ].join('\n'),
  errors: modbusErrors.pick('MODBUS_CONFIG', 'MODBUS_CONNECT'),
  configSchema: {
    type: 'object',
    properties: {
      transport: {
        description: 'tcp: Modbus TCP over the network; rtu: Modbus RTU over a serial port (RS-485/RS-232).',
        default: 'tcp',
        enum: ['tcp', 'rtu'],
        'x-ui': { label: 'Transport' },
      },
      host: {
        type: 'string',
        description: 'TCP: host name or IP address of the device or gateway.',
        minLength: 1,
        'x-ui': { label: 'Host', showIf: { transport: 'tcp' } },
      },
      port: {
        type: 'integer',
        description: 'TCP: port; 502 is the Modbus standard.',
        default: 502,
        minimum: 1,
        maximum: 65535,
        'x-ui': { label: 'Port', showIf: { transport: 'tcp' } },
      },
      serialPath: {
        type: 'string',
        description: 'RTU: the serial port, e.g. /dev/ttyUSB0 or COM3.',
        minLength: 1,
        'x-ui': { label: 'Serial port', showIf: { transport: 'rtu' } },
      },
      baudRate: {
        type: 'integer',
        description: 'RTU: line speed in bit/s.',
        default: 9600,
        minimum: 300,
        maximum: 921600,
        'x-ui': { label: 'Baud rate', showIf: { transport: 'rtu' } },
      },
      parity: {
        description: 'RTU: parity bit (Modbus RTU specifies even; many devices use none).',
        default: 'none',
        enum: ['none', 'even', 'odd', 'mark', 'space'],
        'x-ui': { label: 'Parity', showIf: { transport: 'rtu' } },
      },
      dataBits: {
        description: 'RTU: data bits per character (RTU uses 8).',
        default: 8,
        enum: [7, 8],
        'x-ui': { label: 'Data bits', showIf: { transport: 'rtu' } },
      },
      stopBits: {
        description: 'RTU: stop bits (2 is usual with no parity).',
        default: 1,
        enum: [1, 2],
        'x-ui': { label: 'Stop bits', showIf: { transport: 'rtu' } },
      },
      unitId: {
        type: 'integer',
        description:
          'Unit (slave) id of the device: 1-247 on a serial line; behind a TCP gateway, the id of the device on its serial side.',
        default: 1,
        minimum: 0,
        maximum: 255,
        'x-ui': { label: 'Unit id' },
      },
      timeoutMs: {
        type: 'integer',
        description: 'A request without an answer after this long fails (MODBUS_TIMEOUT, quality bad).',
        default: 1000,
        minimum: 10,
        maximum: 60000,
        'x-ui': { label: 'Request timeout', unit: 'ms' },
      },
      connectTimeoutMs: {
        type: 'integer',
        description: 'TCP: give up a connection attempt after this long (the runtime retries with backoff).',
        default: 3000,
        minimum: 100,
        maximum: 60000,
        'x-ui': { label: 'Connect timeout', unit: 'ms' },
      },
      minGapMs: {
        type: 'integer',
        description: 'Quiet time between two requests, for slow devices and serial lines.',
        default: 0,
        minimum: 0,
        maximum: 10000,
        'x-ui': { label: 'Minimum gap between requests', unit: 'ms' },
      },
      timeoutsBeforeReconnect: {
        type: 'integer',
        description: 'After this many timeouts in a row the connection is dropped and made again by the runtime.',
        default: 3,
        minimum: 1,
        maximum: 100,
        'x-ui': { label: 'Timeouts before reconnecting', advanced: true },
      },
    },
    additionalProperties: false,
  },

  check: deviceConfigProblems,

  async create(ctx) {
    const c = ctx.config;
    refuseConfig(deviceConfigProblems(c));
    // modbus-serial (and serialport) load here, when a flow first uses a device, not with the palette.
    const { openModbusConnection } = require('./modbus-connect') as typeof import('./modbus-connect');
    const { connection, device } = await openModbusConnection(c, ctx.signal, (reason) => ctx.lost(reason));
    ctx.log.info('connected', { device });
    return connection;
  },

  tools: {
    // For the editor's test read: a register range decoded in every type and byte order.
    'test-read'(connection, input) {
      const { testReadTool } = require('./test-read-tool') as typeof import('./test-read-tool');
      return testReadTool(connection, input);
    },
  },
});

/**
 * A device that names no address can never connect: refused at validate and deploy, rather than
 * retried for ever by the runtime as if the device were down.
 */
function deviceConfigProblems(c: { transport: 'tcp' | 'rtu'; host?: string; serialPath?: string }): ConfigProblem[] {
  if (c.transport === 'rtu' && c.serialPath === undefined)
    return [
      {
        path: '/serialPath',
        message: 'a modbus-device with transport "rtu" needs serialPath (e.g. /dev/ttyUSB0)',
        code: modbusErrors.code.MODBUS_CONFIG,
      },
    ];
  if (c.transport === 'tcp' && c.host === undefined)
    return [
      {
        path: '/host',
        message: 'a modbus-device with transport "tcp" needs host (e.g. 10.0.0.5)',
        code: modbusErrors.code.MODBUS_CONFIG,
      },
    ];
  return [];
}
