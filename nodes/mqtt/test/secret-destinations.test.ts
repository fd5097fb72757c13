import broker from '../src/mqtt-broker.resource';

const destinations = (url: string) => broker.secretDestinations?.({ url, passwordEnv: 'PW' });

describe('mqtt-broker secretDestinations', () => {
  it('is the broker host with the port of the URL or of its scheme', () => {
    expect(destinations('mqtt://Broker.Plant:1884')).toEqual([{ host: 'Broker.Plant', port: 1884 }]);
    expect(destinations('mqtt://broker.plant')).toEqual([{ host: 'broker.plant', port: 1883 }]);
    expect(destinations('mqtts://broker.plant')).toEqual([{ host: 'broker.plant', port: 8883 }]);
    expect(destinations('ws://broker.plant/mqtt')).toEqual([{ host: 'broker.plant', port: 80 }]);
    expect(destinations('wss://broker.plant:9001/mqtt')).toEqual([{ host: 'broker.plant', port: 9001 }]);
    expect(destinations('mqtt://[fd00::5]:1883')).toEqual([{ host: '[fd00::5]', port: 1883 }]);
  });

  it('fails closed on a URL that does not parse: its text is the host, which no allow list holds', () => {
    expect(destinations('mqtt://bro ker')).toEqual([{ host: 'mqtt://bro ker' }]);
  });

  it('marks passwordEnv as naming a secret', () => {
    expect((broker.configSchema as { properties?: Record<string, unknown> }).properties?.passwordEnv).toMatchObject({
      'x-secret': true,
    });
  });
});
