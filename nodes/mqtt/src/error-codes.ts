import { defineErrorCodes, sdkErrors } from '@tagflow/node-sdk';

/** The error codes of the MQTT nodes and the mqtt-broker resource. */
export const mqttErrors = defineErrorCodes({
  ...sdkErrors.pick('SECRET_MISSING', 'FILE_OUTSIDE_ROOT'),
  MQTT_CONNECT: 'The broker cannot be reached or refused the connection; the runtime retries with backoff.',
  MQTT_TLS_FILE: 'A TLS file the config names (caFile, certFile, keyFile) cannot be read from the files folder.',
  MQTT_PAYLOAD: 'A received message is not what `payload` asks for (not JSON, not a number); it is not sent.',
  MQTT_TOPIC: 'The message lacks a field the topic template needs; it is not published.',
  MQTT_PROPERTY: 'The message lacks a field an MQTT 5 property template needs; it is not published.',
  MQTT_CONFIG:
    'A topic or broker URL the schema cannot rule out (a wildcard in a publish topic, a malformed filter, a URL without host); the deploy is refused.',
}).withRefusals('MQTT_CONFIG', 'FILE_OUTSIDE_ROOT');
