#!/usr/bin/env node
// A small OPC UA server standing in for a PLC: pump 3's flow (m3/h) as ns=1;s=Pump3.Flow, a sine
// around 40 (amplitude 6, period 20 s) plus seeded noise, a new value every 200 ms; and its
// discharge pressure (bar) as ns=1;s=Pump3.Pressure. Security None, anonymous.
//
//   node simulator.js [--port 4840] [--pki <dir>] [--log-values]
//
// --log-values prints each flow value set, as a JSON line {"timestamp": ms, "value": n}, so a test
// can compare what reached MQTT with what the "PLC" produced.
'use strict';
const { mkdirSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { format } = require('node:util');
const {
  DataType,
  OPCUACertificateManager,
  OPCUAServer,
  setErrorLogger,
  setWarningLogger,
  StatusCodes,
  Variant,
} = require('node-opcua');

// node-opcua logs on stdout, which carries the --log-values lines: its messages go to stderr.
const toStderr = (_context, ...args) => process.stderr.write(`[node-opcua] ${format(...args)}\n`);
setWarningLogger(toStderr);
setErrorLogger(toStderr);

function option(name, fallback) {
  const i = process.argv.indexOf(name);
  return i === -1 ? fallback : process.argv[i + 1];
}
const port = Number(option('--port', '4840'));
const pkiDir = option('--pki', join(tmpdir(), 'tagflow-opcua-simulator-pki'));
const logValues = process.argv.includes('--log-values');

/** Deterministic noise (mulberry32), so every run produces the same series. */
function seeded(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function main() {
  mkdirSync(pkiDir, { recursive: true });
  const serverCertificateManager = new OPCUACertificateManager({
    rootFolder: pkiDir,
    automaticallyAcceptUnknownCertificate: true,
  });
  await serverCertificateManager.initialize();
  const server = new OPCUAServer({
    port,
    hostname: '127.0.0.1',
    serverCertificateManager,
    allowAnonymous: true,
    buildInfo: { productName: 'tagflow pump simulator' },
  });
  await server.initialize();

  const addressSpace = server.engine.addressSpace;
  const namespace = addressSpace.getOwnNamespace();
  const pump = namespace.addObject({
    organizedBy: addressSpace.rootFolder.objects,
    browseName: 'Pump3',
    nodeId: 's=Pump3',
  });
  const flow = namespace.addAnalogDataItem({
    componentOf: pump,
    browseName: 'Flow',
    nodeId: 's=Pump3.Flow',
    dataType: 'Double',
    engineeringUnitsRange: { low: 0, high: 80 },
  });
  const pressure = namespace.addVariable({
    componentOf: pump,
    browseName: 'Pressure',
    nodeId: 's=Pump3.Pressure',
    dataType: 'Double',
  });

  const noise = seeded(7);
  const started = Date.now();
  const tick = () => {
    const now = Date.now();
    const seconds = (now - started) / 1000;
    // Rounded to what a flow meter resolves, so values print and compare exactly.
    const value = Math.round((40 + 6 * Math.sin((2 * Math.PI * seconds) / 20) + (noise() - 0.5) * 1.6) * 1000) / 1000;
    flow.setValueFromSource(new Variant({ dataType: DataType.Double, value }), StatusCodes.Good, new Date(now));
    pressure.setValueFromSource(
      new Variant({ dataType: DataType.Double, value: Math.round((2 + value / 100) * 1000) / 1000 }),
      StatusCodes.Good,
      new Date(now),
    );
    if (logValues) process.stdout.write(`${JSON.stringify({ timestamp: now, value })}\n`);
  };
  tick();
  const timer = setInterval(tick, 200);

  await server.start();
  process.stderr.write(`pump simulator listening on opc.tcp://127.0.0.1:${port}\n`);

  const stop = async () => {
    clearInterval(timer);
    await server.shutdown(0);
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err) => {
  process.stderr.write(`the simulator failed: ${err.stack ?? err}\n`);
  process.exit(1);
});
