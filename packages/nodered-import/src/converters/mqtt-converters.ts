import type { ConverterResult, ConvertContext, ResourceConversion } from '../conversion';
import { defined, simple, tagflowNode } from '../conversion';
import type { NodeRedObject } from '../nodered-export';
import { booleanOf, isRecord, numberOf, textOf } from '../nodered-export';
import { secretName } from '../secret-name';

const DATATYPES: Record<string, string> = {
  auto: 'auto',
  'auto-detect': 'auto',
  json: 'json',
  utf8: 'string',
  buffer: 'buffer',
};

/** mqtt in -> `mqtt-in` on the broker resource its mqtt-broker config became. */
export function convertMqttIn(node: NodeRedObject, ctx: ConvertContext): ConverterResult {
  if (numberOf(node.inputs) === 1)
    return {
      notConverted: 'it subscribes to topics chosen by messages (dynamic subscription)',
      useInstead: 'an mqtt-in node with its topic written in it',
    };
  const broker = ctx.resource(node.broker, ['mqtt-broker']);
  if ('problem' in broker)
    return { notConverted: broker.problem, useInstead: 'an mqtt-in node with an mqtt-broker resource' };
  const differences: string[] = [];
  const datatype = textOf(node.datatype) ?? 'auto';
  let payload = DATATYPES[datatype];
  if (payload === undefined) {
    payload = 'buffer';
    differences.push(`payloads are read as bytes, not as ${datatype}`);
  }
  if (booleanOf(node.nl) === true) differences.push('"do not receive messages published by this client" is not kept');
  if (booleanOf(node.rap) === false) differences.push('the retain flag is not passed on');
  const qos = numberOf(node.qos);
  const config = defined({
    broker: broker.id,
    topic: textOf(node.topic) ?? '#',
    qos: qos === 0 || qos === 1 || qos === 2 ? qos : undefined,
    payload,
  });
  return simple(tagflowNode(node.id, 'mqtt-in', config, node), differences, true, false);
}

/** mqtt out -> `mqtt-out`; an empty topic publishes to msg.topic, as in Node-RED. */
export function convertMqttOut(node: NodeRedObject, ctx: ConvertContext): ConverterResult {
  const broker = ctx.resource(node.broker, ['mqtt-broker']);
  if ('problem' in broker)
    return { notConverted: broker.problem, useInstead: 'an mqtt-out node with an mqtt-broker resource' };
  const differences = [
    'a text payload is published as JSON (in quotes); Node-RED publishes it bare: set format "string" if the payloads are texts',
  ];
  const topic = textOf(node.topic) || '{{topic}}';
  const qos = numberOf(node.qos);
  const config = defined({
    broker: broker.id,
    topic,
    // Node-RED's default QoS is 0.
    qos: qos === 1 || qos === 2 ? qos : 0,
    retain: booleanOf(node.retain) === true || undefined,
    contentType: textOf(node.contentType) || undefined,
    responseTopic: textOf(node.respTopic) || undefined,
    messageExpirySeconds: numberOf(node.expiry),
  });
  if (topic === '{{topic}}')
    differences.push('a message without msg.topic is an error (MQTT_TOPIC), not dropped with a warning');
  return simple(tagflowNode(node.id, 'mqtt-out', config, node), differences, false);
}

/**
 * mqtt-broker config -> `mqtt-broker` resource. Credentials never enter the flow: the password
 * becomes the name of a secret to set on the runtime; the user name is kept.
 */
export function convertMqttBroker(config: NodeRedObject, id: string): ResourceConversion {
  const differences: string[] = [];
  const secrets: ResourceConversion['secrets'] = [];
  const host = textOf(config.broker) ?? 'localhost';
  const tls = booleanOf(config.usetls) === true;
  const port = numberOf(config.port) ?? (tls ? 8883 : 1883);
  const url = /^[a-z]+:\/\//.test(host) ? host : `${tls ? 'mqtts' : 'mqtt'}://${host}:${port}`;
  const credentials = isRecord(config.credentials) ? config.credentials : {};
  const user = textOf(credentials.user) || textOf(config.user) || undefined;
  let passwordEnv: string | undefined;
  if (user !== undefined || textOf(credentials.password) !== undefined) {
    passwordEnv = secretName(config.name || id, 'MQTT', 'PASSWORD');
    secrets.push({ name: passwordEnv, for: `the password of MQTT broker ${url}${user ? ` (user ${user})` : ''}` });
  }
  if (textOf(config.birthTopic) || textOf(config.willTopic) || textOf(config.closeTopic))
    differences.push('birth, will and close messages are not kept');
  if (tls && textOf(config.tls))
    differences.push("TLS certificates: set caFile/certFile/keyFile (files in the runtime's files folder)");
  const keepalive = numberOf(config.keepalive);
  const resource = {
    id,
    type: 'mqtt-broker',
    ...(textOf(config.name) ? { name: config.name as string } : {}),
    config: defined({
      url,
      clientId: textOf(config.clientid) || undefined,
      protocolVersion: numberOf(config.protocolVersion) === 5 ? 5 : 4,
      username: user,
      passwordEnv,
      keepaliveSeconds: keepalive !== undefined ? Math.round(keepalive) : undefined,
      cleanSession: booleanOf(config.cleansession) !== false,
    }),
  };
  return { resource, differences, secrets };
}
