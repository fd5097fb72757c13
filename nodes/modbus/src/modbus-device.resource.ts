import { connect } from 'node:net';
import type { Socket } from 'node:net';
import ModbusRTU from 'modbus-serial';
import { defineResource, NodeError } from '@tagflow/node-sdk';
import { modbusErrors } from './error-codes';
import { ModbusConnection } from './modbus-connection';

export default defineResource({
  type: 'modbus-device',
  version: 1,
  description:
    'A Modbus device (TCP or RTU over a serial line), one connection shared by the Modbus nodes that name it',
  errors: modbusErrors.pick('MODBUS_CONFIG', 'MODBUS_CONNECT'),
  configSchema: {
    type: 'object',
    properties: {
      transport: {
        enum: ['tcp', 'rtu'],
        default: 'tcp',
        description: 'tcp: Modbus TCP over the network; rtu: Modbus RTU over a serial port (RS-485/RS-232).',
        'x-ui': { label: 'Transport' },
      },
      host: {
        type: 'string',
        minLength: 1,
        description: 'TCP: host name or IP address of the device or gateway.',
        'x-ui': { label: 'Host', showIf: { transport: 'tcp' } },
      },
      port: {
        type: 'integer',
        minimum: 1,
        maximum: 65535,
        default: 502,
        description: 'TCP: port; 502 is the Modbus standard.',
        'x-ui': { label: 'Port', showIf: { transport: 'tcp' } },
      },
      serialPath: {
        type: 'string',
        minLength: 1,
        description: 'RTU: the serial port, e.g. /dev/ttyUSB0 or COM3.',
        'x-ui': { label: 'Serial port', showIf: { transport: 'rtu' } },
      },
      baudRate: {
        type: 'integer',
        minimum: 300,
        maximum: 921600,
        default: 9600,
        description: 'RTU: line speed in bit/s.',
        'x-ui': { label: 'Baud rate', showIf: { transport: 'rtu' } },
      },
      parity: {
        enum: ['none', 'even', 'odd', 'mark', 'space'],
        default: 'none',
        description: 'RTU: parity bit (Modbus RTU specifies even; many devices use none).',
        'x-ui': { showIf: { transport: 'rtu' } },
      },
      dataBits: {
        enum: [7, 8],
        default: 8,
        description: 'RTU: data bits per character (RTU uses 8).',
        'x-ui': { showIf: { transport: 'rtu' } },
      },
      stopBits: {
        enum: [1, 2],
        default: 1,
        description: 'RTU: stop bits (2 is usual with no parity).',
        'x-ui': { showIf: { transport: 'rtu' } },
      },
      unitId: {
        type: 'integer',
        minimum: 0,
        maximum: 255,
        default: 1,
        description:
          'Unit (slave) id of the device: 1-247 on a serial line; behind a TCP gateway, the id of the device on its serial side.',
        'x-ui': { label: 'Unit id' },
      },
      timeoutMs: {
        type: 'integer',
        minimum: 10,
        maximum: 60000,
        default: 1000,
        description: 'A request without an answer after this long fails (quality bad).',
        'x-ui': { label: 'Request timeout', unit: 'ms' },
      },
      connectTimeoutMs: {
        type: 'integer',
        minimum: 100,
        maximum: 60000,
        default: 3000,
        description: 'TCP: give up a connection attempt after this long (the runtime retries with backoff).',
        'x-ui': { unit: 'ms' },
      },
      minGapMs: {
        type: 'integer',
        minimum: 0,
        maximum: 10000,
        default: 0,
        description: 'Quiet time between two requests, for slow devices and serial lines.',
        'x-ui': { label: 'Minimum gap between requests', unit: 'ms' },
      },
      timeoutsBeforeReconnect: {
        type: 'integer',
        minimum: 1,
        maximum: 100,
        default: 3,
        description: 'After this many timeouts in a row the connection is dropped and made again by the runtime.',
      },
    },
    additionalProperties: false,
  },

  async create(ctx) {
    const c = ctx.config;
    if (c.transport === 'rtu') {
      if (c.serialPath === undefined)
        throw new NodeError(
          modbusErrors.code.MODBUS_CONFIG,
          'a modbus-device with transport "rtu" needs serialPath (e.g. /dev/ttyUSB0)',
        );
    } else if (c.host === undefined) {
      throw new NodeError(
        modbusErrors.code.MODBUS_CONFIG,
        'a modbus-device with transport "tcp" needs host (e.g. 10.0.0.5)',
      );
    }
    const client = new ModbusRTU();
    let connection: ModbusConnection;
    let device: string;
    const lost = (reason: Error) => ctx.lost(new Error(`connection to ${device} lost: ${reason.message}`));
    const options = { timeoutMs: c.timeoutMs, minGapMs: c.minGapMs, timeoutsBeforeLost: c.timeoutsBeforeReconnect };

    if (c.transport === 'rtu') {
      const path = c.serialPath as string;
      device = `${path} unit ${c.unitId}`;
      try {
        await client.connectRTUBuffered(path, {
          baudRate: c.baudRate,
          parity: c.parity,
          dataBits: c.dataBits,
          stopBits: c.stopBits,
        });
      } catch (err) {
        throw new NodeError(modbusErrors.code.MODBUS_CONNECT, `cannot open ${path}: ${(err as Error).message}`);
      }
      const closePort = () => new Promise<void>((resolve) => client.close(() => resolve()));
      connection = new ModbusConnection(client, { ...options, device, closePort }, lost);
      client.on('close', () => connection.lose(new Error('serial port closed')));
      client.on('error', (err) => connection.lose(err instanceof Error ? err : new Error(String(err))));
    } else {
      const host = c.host as string;
      device = `${host}:${c.port} unit ${c.unitId}`;
      // Our own socket, so that its close is seen whatever modbus-serial's port wrapper does with it.
      const socket = await openSocket(host, c.port, c.connectTimeoutMs, ctx.signal);
      let socketError: Error | undefined;
      socket.on('error', (err) => (socketError = err));
      await client.linkTCP(socket, { port: c.port });
      const closePort = () =>
        new Promise<void>((resolve) => {
          if (socket.destroyed) return resolve();
          socket.once('close', () => resolve());
          socket.destroy();
        });
      connection = new ModbusConnection(client, { ...options, device, closePort }, lost);
      socket.on('close', () => connection.lose(socketError ?? new Error('the device closed the connection')));
    }
    client.setID(c.unitId);
    client.setTimeout(c.timeoutMs);
    ctx.log.info('connected', { device });
    return connection;
  },
});

/** Opens a TCP connection, or rejects with a plain-words NodeError. */
function openSocket(host: string, port: number, timeoutMs: number, signal: AbortSignal): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    const fail = (reason: string) => {
      clearTimeout(timer);
      socket.destroy();
      reject(new NodeError(modbusErrors.code.MODBUS_CONNECT, `cannot connect to ${host}:${port}: ${reason}`));
    };
    const timer = setTimeout(() => fail(`no answer within ${timeoutMs} ms`), timeoutMs);
    const onAbort = () => fail('cancelled');
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('error', (err) => fail(err.message));
    socket.once('connect', () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      socket.removeAllListeners('error');
      socket.setNoDelay(true);
      resolve(socket);
    });
  });
}
