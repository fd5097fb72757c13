import { passwordEnvProperty, secretNameProperty, urlDestination } from '../src';

describe('secret schema pieces', () => {
  it('marks secret-name fields x-secret, before their x-ui', () => {
    expect(passwordEnvProperty('Password variable')).toEqual({
      type: 'string',
      description: 'Name of the environment variable (or secret) holding the password: never the password itself.',
      minLength: 1,
      'x-secret': true,
      'x-ui': { label: 'Password variable' },
    });
    expect(Object.keys(secretNameProperty('Token variable', 'The token.'))).toEqual([
      'type',
      'description',
      'minLength',
      'x-secret',
      'x-ui',
    ]);
  });

  it("gives a URL's host and port, the scheme's default port when it has none", () => {
    expect(urlDestination('mqtt://broker.plant', { 'mqtt:': 1883 })).toEqual([{ host: 'broker.plant', port: 1883 }]);
    expect(urlDestination('https://influx.plant')).toEqual([{ host: 'influx.plant', port: 443 }]);
    expect(urlDestination('http://influx.plant:80')).toEqual([{ host: 'influx.plant', port: 80 }]);
    expect(urlDestination('http://user:pw@influx.plant:8086/x')).toEqual([{ host: 'influx.plant', port: 8086 }]);
    expect(urlDestination('custom://device.plant')).toEqual([{ host: 'device.plant' }]);
  });

  it('fails closed: a URL that does not parse gives its own text as the host', () => {
    expect(urlDestination('not a url')).toEqual([{ host: 'not a url' }]);
  });
});
