import { connect } from 'node:net';
import type { Socket } from 'node:net';
import ModbusRTU from 'modbus-serial';
import { NodeError } from '@tagflow/node-sdk';
import { modbusErrors } from './error-codes';
import { ModbusConnection } from './modbus-connection';

/** The modbus-device settings a connection is made from (its config, defaults applied). */
export interface ModbusDeviceSettings {
  transport: 'tcp' | 'rtu';
  host?: string;
  port: number;
  serialPath?: string;
  baudRate: number;
  parity: 'none' | 'even' | 'odd' | 'mark' | 'space';
  dataBits: 7 | 8;
  stopBits: 1 | 2;
  unitId: number;
  timeoutMs: number;
  connectTimeoutMs: number;
  minGapMs: number;
  timeoutsBeforeReconnect: number;
}

/**
 * Opens the device's TCP socket or serial port and wraps it in a ModbusConnection, or rejects with
 * MODBUS_CONNECT in plain words. The only module that loads modbus-serial at run time: the
 * modbus-device resource requires it on its first `create`.
 */
export async function openModbusConnection(
  c: ModbusDeviceSettings,
  signal: AbortSignal,
  onLost: (reason: Error) => void,
): Promise<{ connection: ModbusConnection; device: string }> {
  const client = new ModbusRTU();
  let connection: ModbusConnection;
  let device: string;
  const lost = (reason: Error) => onLost(new Error(`connection to ${device} lost: ${reason.message}`));
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
    const socket = await openSocket(host, c.port, c.connectTimeoutMs, signal);
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
  return { connection, device };
}

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
