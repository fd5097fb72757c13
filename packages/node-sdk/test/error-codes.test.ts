import { defineErrorCodes as flowModelDefineErrorCodes } from '@tagflow/flow-model';
import { defineErrorCodes, NodeError, sdkErrors } from '../src';

describe('error codes in the SDK', () => {
  it('are declared with the one defineErrorCodes of flow-model', () => {
    expect(defineErrorCodes).toBe(flowModelDefineErrorCodes);
  });

  it('name a NodeError by a catalogue code', () => {
    const catalogue = defineErrorCodes({ DEVICE_TIMEOUT: 'The device did not answer in time.' });
    const err = new NodeError(catalogue.code.DEVICE_TIMEOUT, 'no answer');
    expect(err.code).toBe('DEVICE_TIMEOUT');
  });

  it('include the shared codes a package takes into its own catalogue with their meaning', () => {
    const mqtt = defineErrorCodes({ ...sdkErrors.pick('SECRET_MISSING'), MQTT_CONNECT: 'No connection.' });
    expect(mqtt.code.SECRET_MISSING).toBe('SECRET_MISSING');
    expect(mqtt.meanings.SECRET_MISSING).toBe(sdkErrors.meanings.SECRET_MISSING);
    expect(Object.keys(sdkErrors.meanings).sort()).toEqual([
      'CONTEXT_FULL',
      'CONTEXT_VALUE',
      'FILE_OUTSIDE_ROOT',
      'HOP_LIMIT',
      'LINK_NO_CALLER',
      'RESOURCE_NOT_FOUND',
      'SECRET_MISSING',
      'UNEXPECTED',
    ]);
  });
});
