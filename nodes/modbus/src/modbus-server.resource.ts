import type { ServerTCP } from 'modbus-serial';
import { defineResource, NodeError, refuseConfig } from '@tagflow/node-sdk';
import { modbusErrors } from './error-codes';
import { RegisterMap } from './register-map';
import { ServedImage } from './served-image';
import { resolveServedTag, serverConfigProblems, servedTagSchema } from './server-config';

export default defineResource({
  type: 'modbus-server',
  version: 1,
  description:
    'A Modbus TCP server tagflow runs: it serves tags of the flow as coils and registers to Modbus clients (SCADA, HMI, PLC).',
  docs: [
    'Makes tagflow a Modbus TCP device (a gateway): clients read the values `modbus-serve` nodes set',
    'from the flow, and may write the tags marked `writable`, which the nodes send into the flow. A tag',
    'is declared as in `modbus-read` (table, 0-based address, type, byte order, length, scale, offset),',
    'with the same codec, so a tag list can be copied between reader and server and every type and',
    'order the reader decodes the server encodes.',
    '',
    '## What clients get',
    '',
    'FC 1-6, 15 and 16. A request either succeeds whole or is answered with a Modbus exception (and',
    'changes nothing), counted in the status of the `modbus-serve` nodes and logged once per reason:',
    '',
    '| request | answer |',
    '| --- | --- |',
    '| an address no tag serves | exception 2 (illegal data address); with `unmapped: "zero"`, reads give 0 (writes are still refused) |',
    '| a write to a tag without `writable`, or to an input register or discrete input | exception 2 |',
    '| a write covering part of a multi-register tag (one FC 6 into a float32) | exception 2: write it whole with FC 16 |',
    '| a write of NaN or infinity into a float tag | exception 3 (illegal data value) |',
    '| a read of more than 125 registers or 2000 bits | exception 3 |',
    '| a tag with no value yet (no `initial`, nothing from the flow) | exception 11 (gateway target device failed to respond) |',
    '| a tag whose last message had quality bad | exception 11; with `badQuality: "keep-last"`, its last good value |',
    '',
    'Exception 11 is what a Modbus gateway answers when the device behind it is away: SCADA drivers',
    'show it as a communication failure of that block, the nearest Modbus has to bad quality. Serving',
    'the last value instead would show a stale number as if it were live.',
    '',
    'Requests addressed to another unit id than `unitId` get no answer (255 answers any unit id).',
    '',
    '## Listening',
    '',
    'The server listens on `host`:`port`, 127.0.0.1 by default: only programs on this machine reach',
    'it until `host` says otherwise (`0.0.0.0` for every interface). When it cannot listen (the port is',
    'taken: `cannot listen on 127.0.0.1:5020: the port is in use by another program`; a port below',
    '1024 without privileges) it fails with `MODBUS_LISTEN` on every node using it, and the runtime',
    'retries with backoff, so it starts serving once the port is free. Values set in the meantime are',
    'kept by the nodes and served when it listens. A redeploy that changes the server starts it anew',
    '(clients reconnect; values come back from the flow and `initial`).',
    '',
    '## Example',
    '',
    'A pump served to a SCADA: its flow as a word-swapped float, a running bit, and a setpoint the',
    'SCADA may write, in tenths of m3/h:',
    '',
    '```json',
    '{',
    '  "id": "gateway",',
    '  "type": "modbus-server",',
    '  "config": {',
    '    "host": "0.0.0.0",',
    '    "port": 5020,',
    '    "tags": [',
    '      { "name": "pump3/flow", "function": "input-register", "address": 0, "type": "float32", "order": "CDAB" },',
    '      { "name": "pump3/running", "function": "discrete-input", "address": 0 },',
    '      { "name": "pump3/setpoint", "function": "holding-register", "address": 100, "type": "int16", "scale": 0.1, "writable": true, "initial": 40 }',
    '    ]',
    '  }',
    '}',
    '```',
  ].join('\n'),
  errors: modbusErrors.pick('MODBUS_CONFIG', 'MODBUS_LISTEN'),
  configSchema: {
    type: 'object',
    properties: {
      host: {
        type: 'string',
        description:
          'Address to listen on: 127.0.0.1 (this machine only, the default), 0.0.0.0 (every interface) or one interface address.',
        default: '127.0.0.1',
        minLength: 1,
        'x-ui': { label: 'Listen address' },
      },
      port: {
        type: 'integer',
        description:
          'TCP port. 502 is the Modbus standard but, like every port below 1024, needs root or CAP_NET_BIND_SERVICE.',
        default: 5020,
        minimum: 1,
        maximum: 65535,
        'x-ui': { label: 'Port' },
      },
      unitId: {
        type: 'integer',
        description: 'Unit id the server answers; requests for another id get no answer. 255 answers every unit id.',
        default: 255,
        minimum: 1,
        maximum: 255,
        'x-ui': { label: 'Unit id' },
      },
      badQuality: {
        description:
          'A tag whose last message had quality bad: exception answers reads of it with exception 11; keep-last serves its last good value.',
        default: 'exception',
        enum: ['exception', 'keep-last'],
        'x-ui': { label: 'When a value is bad' },
      },
      unmapped: {
        description:
          'A read of an address no tag serves: exception answers exception 2 (illegal data address); zero answers 0, as some devices do.',
        default: 'exception',
        enum: ['exception', 'zero'],
        'x-ui': { label: 'Unmapped addresses', advanced: true },
      },
      tags: {
        type: 'array',
        description: 'The tags served, each at its own addresses.',
        minItems: 1,
        items: servedTagSchema,
        'x-ui': { label: 'Tags', widget: 'table' },
      },
    },
    required: ['tags'],
    additionalProperties: false,
  },

  check: serverConfigProblems,

  async create(ctx) {
    const c = ctx.config;
    refuseConfig(serverConfigProblems(c));
    const map = new RegisterMap(c.tags.map(resolveServedTag), { badQuality: c.badQuality, unmapped: c.unmapped });
    const endpoint = `${c.host}:${c.port}`;
    const image = new ServedImage(map, endpoint, ctx.log);
    // Loaded here, not at the top: a runtime whose flows serve no Modbus never loads modbus-serial.
    // Synchronously, so that the server binds before a modbus-device of the same flow, created just
    // after it, tries to connect to it (the demo's simulated PLC).
    const { ServerTCP: Server } = require('modbus-serial') as typeof import('modbus-serial');
    const server = await listen(
      () => new Server(image.vector(), { host: c.host, port: c.port, unitID: c.unitId }),
      endpoint,
    );
    // A listening socket that fails later is a lost server: the runtime closes it and listens anew.
    server.on('serverError', (err: Error | null) =>
      ctx.lost(new Error(`modbus-server on ${endpoint} failed: ${err?.message ?? 'unknown error'}`)),
    );
    server.on('socketError', (err: Error | null) =>
      ctx.log.debug('a Modbus client connection failed', { error: err?.message }),
    );
    ctx.log.info('listening', { endpoint, tags: c.tags.length });
    let closing: Promise<void> | undefined;
    return Object.assign(image, {
      close: () =>
        (closing ??= new Promise<void>((resolve) => {
          server.close(() => resolve());
        })),
    });
  },
});

/** Starts the server and waits until it listens, or rejects with MODBUS_LISTEN in plain words. */
function listen(start: () => ServerTCP, endpoint: string): Promise<ServerTCP> {
  return new Promise((resolve, reject) => {
    const server = start();
    const onError = (err: NodeJS.ErrnoException | null) => {
      server.removeListener('initialized', onListening);
      server.close(() => undefined);
      reject(new NodeError(modbusErrors.code.MODBUS_LISTEN, `cannot listen on ${endpoint}: ${reason(err)}`));
    };
    const onListening = () => {
      server.removeListener('serverError', onError);
      resolve(server);
    };
    server.once('serverError', onError);
    server.once('initialized', onListening);
  });
}

function reason(err: NodeJS.ErrnoException | null): string {
  if (!err) return 'unknown error';
  if (err.code === 'EADDRINUSE') return 'the port is in use by another program';
  if (err.code === 'EACCES')
    return 'permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE; choose a port such as 5020)';
  if (err.code === 'EADDRNOTAVAIL') return 'this machine has no such address';
  return err.message;
}
