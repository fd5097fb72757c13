import historian from '../src/historian.resource';

const of = (config: Record<string, unknown>) => historian.secretDestinations?.(config);

describe('historian secretDestinations', () => {
  it('is the PostgreSQL host and port (defaults as the schema fills them in)', () => {
    expect(of({ backend: 'postgres', host: 'db.plant', port: 5433, database: 'x', passwordEnv: 'PW' })).toEqual([
      { host: 'db.plant', port: 5433 },
    ]);
    expect(of({ backend: 'postgres', host: '127.0.0.1', port: 5432, database: 'x' })).toEqual([
      { host: '127.0.0.1', port: 5432 },
    ]);
  });

  it('is the InfluxDB URL host and port, 80 or 443 by default', () => {
    expect(of({ backend: 'influxdb', url: 'http://influx.plant:8086', database: 'x', passwordEnv: 'PW' })).toEqual([
      { host: 'influx.plant', port: 8086 },
    ]);
    expect(of({ backend: 'influxdb', url: 'https://influx.plant', apiVersion: 2, tokenEnv: 'TOKEN' })).toEqual([
      { host: 'influx.plant', port: 443 },
    ]);
    expect(of({ backend: 'influxdb', url: 'http://influx.plant/' })).toEqual([{ host: 'influx.plant', port: 80 }]);
  });

  it('is nowhere for the local store', () => {
    expect(of({ backend: 'local' })).toEqual([]);
  });

  it('marks passwordEnv and tokenEnv as naming secrets', () => {
    expect((historian.configSchema as { properties?: Record<string, unknown> }).properties).toMatchObject({
      passwordEnv: { 'x-secret': true },
      tokenEnv: { 'x-secret': true },
    });
  });
});
