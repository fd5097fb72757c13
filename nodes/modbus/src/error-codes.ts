import { defineErrorCodes } from '@tagflow/node-sdk';

/** The error codes of the Modbus nodes and the modbus-device and modbus-server resources. */
export const modbusErrors = defineErrorCodes({
  MODBUS_CONFIG:
    'A config the schema cannot rule out (a type that does not fit its table, a string without length, duplicate tag names...); the deploy is refused.',
  MODBUS_CONNECT: 'The device (TCP) or serial port (RTU) cannot be reached; the runtime retries with backoff.',
  MODBUS_LISTEN:
    'The modbus-server cannot listen on its host and port (the port is taken, or below 1024 without privileges); the runtime retries with backoff.',
  MODBUS_UNKNOWN_TAG:
    'A message to modbus-serve names no tag of its server (by topic, or by a key of an object payload); that value is dropped.',
  MODBUS_DISCONNECTED:
    'There is no connection to the device (it was lost or is not made yet); the request is not sent.',
  MODBUS_TIMEOUT: 'The device did not answer within timeoutMs.',
  MODBUS_EXCEPTION:
    'The device answered with a Modbus exception (e.g. illegal data address) and did not do the request.',
  MODBUS_ERROR: 'A request failed for another reason, given in the message.',
  MODBUS_NOT_A_NUMBER:
    'A float register holds NaN or infinity, which devices use to signal a fault; the tag is sent with quality bad.',
  MODBUS_WRITE_BAD_QUALITY: 'The message has quality bad, so its value is never written.',
  NOT_A_NUMBER: 'The value for a numeric register is not a number.',
  NOT_A_BOOLEAN: 'The value for a coil is not true or false.',
  NOT_A_STRING: 'The value for a string tag is not text.',
  VALUE_OUT_OF_RANGE:
    "The value does not fit the tag's type or length, or is not a whole raw value once the scaling is undone.",
}).withRefusals('MODBUS_CONFIG');
