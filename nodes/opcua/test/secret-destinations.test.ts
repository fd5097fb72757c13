import server from '../src/opcua-server.resource';

describe('opcua-server secretDestinations', () => {
  it('is the endpoint host, with 4840 when the URL has no port', () => {
    const of = (endpointUrl: string) =>
      server.secretDestinations?.({ endpointUrl, securityMode: 'None', userName: 'edge', passwordEnv: 'PW' });
    expect(of('opc.tcp://10.0.0.5:4841')).toEqual([{ host: '10.0.0.5', port: 4841 }]);
    expect(of('opc.tcp://plc.plant')).toEqual([{ host: 'plc.plant', port: 4840 }]);
    expect(of('opc.tcp://plc.plant:4840/UA/Server')).toEqual([{ host: 'plc.plant', port: 4840 }]);
  });

  it('marks passwordEnv as naming a secret', () => {
    expect((server.configSchema as { properties?: Record<string, unknown> }).properties?.passwordEnv).toMatchObject({
      'x-secret': true,
    });
  });
});
