import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { connect } from 'mqtt';
import type { IClientOptions } from 'mqtt';
import { defineResource, NodeError } from '@tagflow/node-sdk';
import { describeConnectError } from './connect-error';
import { mqttErrors } from './error-codes';
import { MqttConnection } from './mqtt-connection';

export default defineResource({
  type: 'mqtt-broker',
  version: 1,
  description: 'A connection to an MQTT broker, shared by the MQTT nodes that name it',
  errors: mqttErrors.pick('SECRET_MISSING', 'MQTT_CONNECT', 'MQTT_TLS_FILE'),
  configSchema: {
    type: 'object',
    properties: {
      url: {
        type: 'string',
        pattern: '^(mqtts?|wss?)://',
        description: 'Broker URL, e.g. mqtt://10.0.0.5:1883 or mqtts://broker:8883.',
        'x-ui': { label: 'Broker URL' },
      },
      clientId: {
        type: 'string',
        minLength: 1,
        description:
          'Client id; default tagflow-<resource id>-<host name>. Keep it stable so the broker keeps the session.',
      },
      protocolVersion: { enum: [4, 5], default: 5, description: '4 = MQTT 3.1.1, 5 = MQTT 5.' },
      username: { type: 'string' },
      passwordEnv: {
        type: 'string',
        description: 'Name of the environment variable (or secret) holding the password: never the password itself.',
      },
      caFile: { type: 'string', description: 'PEM file of the CA that signed the broker certificate (TLS).' },
      certFile: { type: 'string', description: 'PEM client certificate (TLS client authentication).' },
      keyFile: { type: 'string', description: 'PEM private key of the client certificate.' },
      rejectUnauthorized: {
        type: 'boolean',
        default: true,
        description: 'Refuse a broker certificate that does not verify.',
      },
      keepaliveSeconds: { type: 'integer', minimum: 0, default: 30 },
      cleanSession: {
        type: 'boolean',
        default: false,
        description: 'Off: the broker keeps subscriptions and queued QoS 1/2 messages while the runtime reconnects.',
      },
      connectTimeoutMs: { type: 'integer', minimum: 100, default: 5000 },
    },
    required: ['url'],
    additionalProperties: false,
  },

  create(ctx) {
    const c = ctx.config;
    let password: string | undefined;
    if (c.passwordEnv !== undefined) {
      password = ctx.secret(c.passwordEnv);
      if (password === undefined)
        throw new NodeError(
          mqttErrors.code.SECRET_MISSING,
          `the password for ${c.url} is to come from "${c.passwordEnv}", which is not set`,
        );
    }
    const options: IClientOptions = {
      clientId: c.clientId ?? `tagflow-${ctx.id}-${hostname()}`,
      protocolVersion: c.protocolVersion,
      username: c.username,
      password,
      clean: c.cleanSession,
      keepalive: c.keepaliveSeconds,
      connectTimeout: c.connectTimeoutMs,
      rejectUnauthorized: c.rejectUnauthorized,
      // The runtime reconnects, with backoff, for every connector alike.
      reconnectPeriod: 0,
      ca: readPem('caFile', c.caFile),
      cert: readPem('certFile', c.certFile),
      key: readPem('keyFile', c.keyFile),
    };
    return new Promise<MqttConnection>((resolve, reject) => {
      const client = connect(c.url, options);
      let connected = false;
      const failed = (reason: unknown) => {
        const text = describeConnectError(reason);
        if (!connected) {
          client.end(true);
          reject(new NodeError(mqttErrors.code.MQTT_CONNECT, `cannot connect to ${c.url}: ${text}`));
        } else {
          ctx.lost(new Error(`connection to ${c.url} lost: ${text}`));
        }
      };
      client.once('connect', () => {
        connected = true;
        resolve(new MqttConnection(client));
      });
      client.on('error', failed);
      client.on('close', () => failed(undefined));
      client.on('offline', () => failed(new Error('offline')));
    });
  },
});

function readPem(field: string, file: string | undefined): Buffer | undefined {
  if (file === undefined) return undefined;
  try {
    return readFileSync(file);
  } catch (err) {
    throw new NodeError(mqttErrors.code.MQTT_TLS_FILE, `cannot read ${field} "${file}": ${(err as Error).message}`);
  }
}
