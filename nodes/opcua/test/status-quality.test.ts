import { StatusCodes } from 'node-opcua';
import { qualityOf, statusName } from '../src';

describe('qualityOf', () => {
  it('maps the status severity to the message quality', () => {
    expect(qualityOf(StatusCodes.Good)).toBe('good');
    expect(qualityOf(StatusCodes.GoodClamped)).toBe('good');
    expect(qualityOf(StatusCodes.UncertainLastUsableValue)).toBe('uncertain');
    expect(qualityOf(StatusCodes.UncertainSensorNotAccurate)).toBe('uncertain');
    expect(qualityOf(StatusCodes.BadSensorFailure)).toBe('bad');
    expect(qualityOf(StatusCodes.BadNodeIdUnknown)).toBe('bad');
    expect(qualityOf(StatusCodes.BadCommunicationError)).toBe('bad');
  });

  it('treats the reserved severity (11) as bad, so no unknown code passes as good', () => {
    expect(qualityOf(0xc0000000)).toBe('bad');
    expect(qualityOf(0x00000000)).toBe('good');
    expect(qualityOf(0x40000000)).toBe('uncertain');
    expect(qualityOf(0x80000000)).toBe('bad');
  });

  it('names the status code', () => {
    expect(statusName(StatusCodes.BadSensorFailure)).toBe('BadSensorFailure');
    expect(statusName(StatusCodes.Good)).toBe('Good');
  });
});
