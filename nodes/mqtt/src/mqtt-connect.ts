import { connect, UniqueMessageIdProvider } from 'mqtt';
import type { IClientOptions } from 'mqtt';
import { NodeError } from '@tagflow/node-sdk';
import { describeConnectError } from './connect-error';
import { mqttErrors } from './error-codes';
import { MqttConnection } from './mqtt-connection';

/** mqtt.js's debug lines, unless DEBUG asks for them. */
const ignoreDebugLine = (): void => undefined;

/**
 * Connects to the broker at `url`: resolves once it accepted the connection, rejects in plain words
 * when the first attempt fails; a loss after that goes to `lost`. The only module that loads the
 * mqtt library at run time: the mqtt-broker resource requires it on its first `create`.
 */
export function openMqttConnection(
  url: string,
  options: IClientOptions,
  lost: (reason: Error) => void,
): Promise<MqttConnection> {
  return new Promise<MqttConnection>((resolve, reject) => {
    // Packet identifiers are 16 bits and shared by every node on the connection: mqtt.js's default
    // provider wraps around onto identifiers still unconfirmed (the earlier publish's callback is
    // lost, and its publisher waits forever); this one skips those, and holds publishes back while
    // none is free.
    const client = connect(url, {
      messageIdProvider: new UniqueMessageIdProvider(),
      // mqtt.js logs about ten debug lines per publish through the `debug` package, whose check for
      // an enabled namespace alone cost a tenth of a QoS 0 publisher's CPU (figure 5): with no DEBUG
      // set, nothing would be printed anyway, so it gets a logger that does nothing.
      ...(process.env.DEBUG ? {} : { log: ignoreDebugLine }),
      // By default mqtt.js moves its keep-alive timer on every packet received (a timer cleared and
      // set per PUBACK: 6% of a QoS 1 publisher's CPU); without, it pings every keep-alive period
      // even while busy, as it already does at QoS 0 (nothing received), and still notices a dead
      // broker by the unanswered ping.
      reschedulePings: false,
      ...options,
    });
    let connected = false;
    const failed = (reason: unknown) => {
      const text = describeConnectError(reason, options.connectTimeout);
      if (!connected) {
        client.end(true);
        reject(new NodeError(mqttErrors.code.MQTT_CONNECT, `cannot connect to ${url}: ${text}`));
      } else {
        lost(new Error(`connection to ${url} lost: ${text}`));
      }
    };
    client.once('connect', (connack) => {
      connected = true;
      resolve(new MqttConnection(client, connack.sessionPresent));
    });
    client.on('error', failed);
    client.on('close', () => failed(undefined));
    client.on('offline', () => failed(new Error('offline')));
  });
}
