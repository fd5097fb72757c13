import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DataType,
  MessageSecurityMode,
  OPCUAServer,
  SecurityPolicy,
  standardUnits,
  StatusCode,
  StatusCodes,
  Variant,
  VariantArrayType,
} from 'node-opcua';
import type { UAVariable } from 'node-opcua';
import { OPCUACertificateManager } from 'node-opcua-certificate-manager';
import { freePort, until } from '@tagflow/node-test';

/** The one user the test server knows. */
export const TEST_USER = { userName: 'operator', password: 'pump-house-7' };

/** Node ids of the test server's variables, all in the folder `Plant` (ns=1;s=Plant). */
export const NODES = {
  folder: 'ns=1;s=Plant',
  /** Double, +1 every ~100 ms (0, 1, 2...). EURange 0..1000, so a percent deadband works; unit m³/h. */
  counter: 'ns=1;s=Plant.Counter',
  int32: 'ns=1;s=Plant.Int32',
  boolean: 'ns=1;s=Plant.Boolean',
  string: 'ns=1;s=Plant.String',
  dateTime: 'ns=1;s=Plant.DateTime',
  doubleArray: 'ns=1;s=Plant.DoubleArray',
  /** Writable Double; the test also sets it from the server side to drive subscriptions. */
  setpoint: 'ns=1;s=Plant.Setpoint',
  /** Writable Byte (0..255), for range checks. */
  byte: 'ns=1;s=Plant.Byte',
  /** A Double whose status the test sets (e.g. to BadSensorFailure). */
  sensor: 'ns=1;s=Plant.Sensor',
  /** Read-only Double: writing it fails on the server with BadNotWritable. */
  readOnly: 'ns=1;s=Plant.ReadOnly',
} as const;

export const FIXED_DATE = new Date('2026-01-02T03:04:05.678Z');

/** How a test server differs from node-opcua's defaults. */
export interface OpcuaTestServerOptions {
  /**
   * Advertise MinSupportedSampleRate 0: an item sampled at 0 gets every change as it is set. By
   * default node-opcua folds the changes within 100 ms into the latest one.
   */
  everyChange?: boolean;
}

/**
 * A real node-opcua server for the tests, on a free loopback port with its own temporary PKI. It
 * can be stopped and started again on the same port (same certificate) to test reconnection.
 */
export class OpcuaTestServer {
  private server: OPCUAServer | undefined;
  private ticker: NodeJS.Timeout | undefined;
  private variables = new Map<string, UAVariable>();
  /** The counter keeps counting across restarts, so values after a restart are new. */
  private count = 0;

  private constructor(
    readonly port: number,
    readonly pkiDir: string,
    private readonly options: OpcuaTestServerOptions,
  ) {}

  static async start(options: OpcuaTestServerOptions = {}): Promise<OpcuaTestServer> {
    const s = new OpcuaTestServer(await freePort(), mkdtempSync(join(tmpdir(), 'tagflow-opcua-server-')), options);
    await s.up();
    return s;
  }

  get endpointUrl(): string {
    return `opc.tcp://127.0.0.1:${this.port}`;
  }

  /** Folder of the server's PKI (trusted/, rejected/, own/). */
  get serverPkiDir(): string {
    return join(this.pkiDir, 'server');
  }

  async up(): Promise<void> {
    const certificateManager = new OPCUACertificateManager({
      rootFolder: this.serverPkiDir,
      automaticallyAcceptUnknownCertificate: true,
    });
    await certificateManager.initialize();
    const server = new OPCUAServer({
      port: this.port,
      hostname: '127.0.0.1',
      serverCertificateManager: certificateManager,
      securityModes: [MessageSecurityMode.None, MessageSecurityMode.Sign, MessageSecurityMode.SignAndEncrypt],
      securityPolicies: [SecurityPolicy.None, SecurityPolicy.Basic256Sha256, SecurityPolicy.Aes128_Sha256_RsaOaep],
      allowAnonymous: true,
      userManager: {
        isValidUser: (userName: string, password: string) =>
          userName === TEST_USER.userName && password === TEST_USER.password,
      },
      buildInfo: { productName: 'tagflow-test-server' },
      ...(this.options.everyChange ? { serverCapabilities: { minSupportedSampleRate: 0 } } : {}),
    });
    await server.initialize();
    this.populate(server);
    await server.start();
    this.server = server;
    this.ticker = setInterval(() => {
      this.count++;
      this.set(NODES.counter, new Variant({ dataType: DataType.Double, value: this.count }));
    }, 100);
  }

  async down(): Promise<void> {
    clearInterval(this.ticker);
    const server = this.server;
    this.server = undefined;
    this.variables.clear();
    await server?.shutdown(0);
  }

  /** Sets a variable's value (and status) from the server side, with the source timestamp now. */
  set(nodeId: string, variant: Variant, status: StatusCode = StatusCodes.Good, sourceTimestamp = new Date()): void {
    const variable = this.variable(nodeId);
    variable.setValueFromSource(variant, status, sourceTimestamp);
  }

  /** The value as the server holds it now. */
  value(nodeId: string): unknown {
    return this.variable(nodeId).readValue().value.value;
  }

  /** Monitored items the server holds now, over all sessions and subscriptions. */
  monitoredItemCount(): number {
    let items = 0;
    for (const session of this.server?.engine.getSessions() ?? []) {
      for (const subscription of session.publishEngine.subscriptions) items += subscription.monitoredItemCount;
    }
    return items;
  }

  /** Deletes every subscription on the server side while the sessions live on; returns how many. */
  dropSubscriptions(): number {
    let dropped = 0;
    for (const session of this.server?.engine.getSessions() ?? []) {
      for (const subscription of [...session.publishEngine.subscriptions]) {
        if (session.deleteSubscription(subscription.id).isGood()) dropped++;
      }
    }
    return dropped;
  }

  private variable(nodeId: string): UAVariable {
    const variable = this.variables.get(nodeId);
    if (!variable) throw new Error(`the test server is not running or has no ${nodeId}`);
    return variable;
  }

  private populate(server: OPCUAServer): void {
    const addressSpace = server.engine.addressSpace;
    if (!addressSpace) throw new Error('the server has no address space');
    const namespace = addressSpace.getOwnNamespace();
    const folder = namespace.addFolder(addressSpace.rootFolder.objects, { browseName: 'Plant', nodeId: 's=Plant' });
    const add = (
      key: keyof typeof NODES,
      dataType: DataType,
      value: unknown,
      options: { writable?: boolean; array?: boolean } = {},
    ) => {
      const id = NODES[key].replace('ns=1;', '');
      const variable = namespace.addVariable({
        organizedBy: folder,
        browseName: id.replace('s=Plant.', ''),
        nodeId: id,
        dataType,
        valueRank: options.array ? 1 : -1,
        accessLevel: options.writable ? 'CurrentRead | CurrentWrite' : 'CurrentRead',
        userAccessLevel: options.writable ? 'CurrentRead | CurrentWrite' : 'CurrentRead',
      });
      variable.setValueFromSource(
        new Variant({ dataType, value, arrayType: options.array ? VariantArrayType.Array : VariantArrayType.Scalar }),
      );
      this.variables.set(NODES[key], variable);
    };
    const counter = namespace.addAnalogDataItem({
      organizedBy: folder,
      browseName: 'Counter',
      nodeId: 's=Plant.Counter',
      dataType: 'Double',
      engineeringUnitsRange: { low: 0, high: 1000 },
      // What the editor's browser shows beside the value.
      engineeringUnits: standardUnits.cubic_metre_per_hour,
    });
    // A value of its own: after a restart, the value a new subscription starts with must not be
    // the last one the server had before it stopped (a client may have that one already).
    this.count++;
    counter.setValueFromSource(new Variant({ dataType: DataType.Double, value: this.count }));
    this.variables.set(NODES.counter, counter);
    add('int32', DataType.Int32, -42, { writable: true });
    add('boolean', DataType.Boolean, true, { writable: true });
    add('string', DataType.String, 'hello', { writable: true });
    add('dateTime', DataType.DateTime, FIXED_DATE, { writable: true });
    add('doubleArray', DataType.Double, [1.5, 2.5, 3.5], { writable: true, array: true });
    add('setpoint', DataType.Double, 0, { writable: true });
    add('byte', DataType.Byte, 7, { writable: true });
    add('sensor', DataType.Double, 20.5, { writable: true });
    add('readOnly', DataType.Double, 1);
  }
}

// Re-exported for the tests of this package that import them from here.
export { freePort, until };
