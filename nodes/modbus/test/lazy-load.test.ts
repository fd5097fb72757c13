/**
 * A runtime whose flows serve no Modbus must not load modbus-serial: the server's definition files
 * load it only when a server is created. Requiring them with modbus-serial made unloadable proves it.
 */
jest.mock('modbus-serial', () => {
  throw new Error('modbus-serial was loaded');
});

it('loads the modbus-server and modbus-serve definitions without loading modbus-serial', () => {
  jest.isolateModules(() => {
    const server = (require('../src/modbus-server.resource') as { default: { type: string } }).default;
    const serve = (require('../src/modbus-serve.node') as { default: { type: string } }).default;
    expect([server.type, serve.type]).toEqual(['modbus-server', 'modbus-serve']);
  });
  // The mock does bite: requiring modbus-serial itself throws.
  expect(() => require('modbus-serial')).toThrow('modbus-serial was loaded');
});
