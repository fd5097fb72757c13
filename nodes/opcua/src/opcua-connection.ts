import { AttributeIds, ClientSubscription, DataType, StatusCodes } from 'node-opcua';
import type { ClientSession, DataValue, NodeId, OPCUAClient, StatusCode, Variant } from 'node-opcua';
import type { OPCUACertificateManager } from 'node-opcua-certificate-manager';
import type { NodeLogger } from '@tagflow/node-sdk';
import { describeStatus } from './status-quality';

/** What a variable holds, as its DataType and ValueRank attributes say. */
export interface VariableType {
  /** The built-in type the value is encoded as (a subtype such as Duration resolves to Double). */
  dataType: DataType;
  /** True when the variable holds an array (ValueRank 1 or more). */
  array: boolean;
}

/** Settings of a subscription (OPC UA CreateSubscription). */
export interface SubscriptionSettings {
  publishingIntervalMs: number;
  /** Publishing intervals without data after which the server sends a keep-alive. */
  maxKeepAliveCount: number;
  /** Keep-alive intervals without a publish request before the server drops the subscription. */
  lifetimeCount: number;
}

const CLOSE_STEP_MS = 1000;

/**
 * One live OPC UA session (over one client connection), shared by the flow's OPC UA nodes. It is
 * never repaired: when the connection breaks, the resource reports it lost and the runtime opens a
 * new one, on which the nodes create their subscriptions again.
 */
export class OpcuaConnection {
  private closing: Promise<void> | undefined;
  private readonly types = new Map<string, Promise<VariableType>>();
  private readonly subscriptions = new Set<ClientSubscription>();

  constructor(
    /** The endpoint, for messages: `opc.tcp://10.0.0.5:4840`. */
    readonly endpointUrl: string,
    readonly client: OPCUAClient,
    readonly session: ClientSession,
    private readonly pki: OPCUACertificateManager,
    private readonly log: NodeLogger,
  ) {}

  /** True once `close` was called (a close the runtime asked for is not a lost connection). */
  get closed(): boolean {
    return this.closing !== undefined;
  }

  /** Reads the Value attribute of each node, in one request; one DataValue per node, in order. */
  read(nodeIds: NodeId[]): Promise<DataValue[]> {
    return this.session.read(nodeIds.map((nodeId) => ({ nodeId, attributeId: AttributeIds.Value })));
  }

  /** Writes the Value attribute; resolves with the server's status (check it: Bad is not thrown). */
  write(nodeId: NodeId, value: Variant): Promise<StatusCode> {
    return this.session.write({ nodeId, attributeId: AttributeIds.Value, value: { value } });
  }

  /** The built-in data type and array-ness of a variable, asked once per node per connection. */
  variableType(nodeId: NodeId): Promise<VariableType> {
    const key = nodeId.toString();
    let known = this.types.get(key);
    if (!known) {
      known = this.readVariableType(nodeId);
      // A failed lookup is not cached: the node may exist after a server reconfiguration.
      known.catch(() => this.types.delete(key));
      this.types.set(key, known);
    }
    return known;
  }

  private async readVariableType(nodeId: NodeId): Promise<VariableType> {
    const [typeValue, rankValue] = await this.session.read([
      { nodeId, attributeId: AttributeIds.DataType },
      { nodeId, attributeId: AttributeIds.ValueRank },
    ]);
    if (!typeValue.statusCode.equals(StatusCodes.Good)) {
      throw new Error(`cannot read the data type of ${nodeId.toString()}: ${describeStatus(typeValue.statusCode)}`);
    }
    const dataType = await this.session.getBuiltInDataType(nodeId);
    const rank = rankValue.statusCode.equals(StatusCodes.Good) ? (rankValue.value.value as number) : -1;
    return { dataType, array: rank >= 1 };
  }

  /** Creates a subscription on this session; it dies with the session and is deleted by `close`. */
  async subscribe(settings: SubscriptionSettings): Promise<ClientSubscription> {
    const subscription = ClientSubscription.create(this.session, {
      requestedPublishingInterval: settings.publishingIntervalMs,
      requestedMaxKeepAliveCount: settings.maxKeepAliveCount,
      requestedLifetimeCount: settings.lifetimeCount,
      maxNotificationsPerPublish: 0,
      publishingEnabled: true,
      priority: 0,
    });
    this.subscriptions.add(subscription);
    subscription.once('terminated', () => this.subscriptions.delete(subscription));
    return subscription;
  }

  /**
   * Closes the session (deleting its subscriptions on the server) and the connection; idempotent.
   * Each step is time-boxed: on a connection that is already dead, the server will not answer.
   */
  close(): Promise<void> {
    this.closing ??= this.doClose();
    return this.closing;
  }

  private async doClose(): Promise<void> {
    this.subscriptions.clear();
    await within(this.session.close(true), CLOSE_STEP_MS).catch((err: unknown) => {
      // Expected when the connection is gone: the server then ends the session by its timeout.
      this.log.debug('closing the session failed', { endpoint: this.endpointUrl, error: String(err) });
    });
    await within(this.client.disconnect(), CLOSE_STEP_MS);
    await this.pki.dispose();
  }
}

/** Resolves with `promise`, or after `ms` if it takes longer (the step is abandoned, not awaited). */
function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
