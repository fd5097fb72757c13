import { defineNode, NodeError } from '@tagflow/node-sdk';
import { opcuaErrors } from './error-codes';
import { errorText } from './error-text';
import { AttributeIds, DataChangeFilter, DataChangeTrigger, DeadbandType, TimestampsToReturn } from 'node-opcua';
import type { ClientSubscription, DataValue, MonitoringParametersOptions } from 'node-opcua';
import { dataValueMessage } from './data-value-message';
import { parseNodeId } from './node-id';
import { describeStatus } from './status-quality';
import type { OpcuaConnection } from './opcua-connection';

/** Publishing intervals without data after which the server sends a keep-alive. */
const KEEP_ALIVE_COUNT = 10;
export default defineNode({
  type: 'opcua-subscribe',
  version: 1,
  category: 'source',
  description: 'Sends a message for each change of the monitored OPC UA variables',
  docs: [
    'Monitors variables through an OPC UA subscription. Each data change becomes a message:',
    '`payload` (the value; null when the status is Bad), `topic` (the item name, else its node id),',
    '`timestamp` (source timestamp), `quality` (from the status code), `statusCode`, `nodeId`.',
  ].join('\n'),
  inputs: [],
  outputs: ['out'],
  resources: { server: 'opcua-server' },
  errors: opcuaErrors.pick('OPCUA_NODE_ID', 'OPCUA_SUBSCRIBE', 'OPCUA_MONITOR'),
  configSchema: {
    type: 'object',
    properties: {
      server: {
        type: 'string',
        minLength: 1,
        description: 'Id of the opcua-server resource.',
        'x-ui': { widget: 'resource', resourceType: 'opcua-server' },
      },
      items: {
        type: 'array',
        minItems: 1,
        description: 'Variables to monitor.',
        items: {
          type: 'object',
          properties: {
            nodeId: {
              type: 'string',
              minLength: 1,
              description: 'Node id, e.g. ns=1;s=Pump.Flow.',
              'x-ui': { widget: 'opcua-node' },
            },
            name: { type: 'string', minLength: 1, description: 'Topic of its messages; default the node id.' },
          },
          required: ['nodeId'],
          additionalProperties: false,
        },
        'x-ui': { label: 'Monitored items' },
      },
      publishingIntervalMs: {
        type: 'integer',
        minimum: 10,
        default: 1000,
        description: 'How often the server sends the changes it collected.',
        'x-ui': { label: 'Publishing interval', unit: 'ms' },
      },
      samplingIntervalMs: {
        type: 'number',
        minimum: 0,
        default: 250,
        description: 'How often the server samples each variable; 0 = as fast as it can.',
        'x-ui': { label: 'Sampling interval', unit: 'ms' },
      },
      queueSize: {
        type: 'integer',
        minimum: 1,
        default: 10,
        description: 'Changes the server keeps per item between two publishes; 1 keeps only the latest.',
        'x-ui': { label: 'Queue size' },
      },
      deadbandType: {
        enum: ['None', 'Absolute', 'Percent'],
        default: 'None',
        description:
          'Server-side deadband (DataChangeFilter): Absolute in value units; Percent of the EURange (only for analog items that have one).',
        'x-ui': { label: 'Deadband' },
      },
      deadbandValue: {
        type: 'number',
        minimum: 0,
        default: 0,
        description: 'A change smaller than or equal to this is not reported.',
        'x-ui': { label: 'Deadband value' },
      },
    },
    required: ['server', 'items'],
    additionalProperties: false,
  },

  create(ctx) {
    const c = ctx.config;
    const server = ctx.resource<OpcuaConnection>(c.server);
    // Parsed once, at deploy: a typo fails the deploy instead of each connection.
    const items = c.items.map((item) => ({
      nodeId: parseNodeId(item.nodeId),
      text: item.nodeId,
      topic: item.name ?? item.nodeId,
    }));
    const parameters: MonitoringParametersOptions = {
      samplingInterval: c.samplingIntervalMs,
      queueSize: c.queueSize,
      discardOldest: true,
      filter:
        c.deadbandType === 'None'
          ? null
          : new DataChangeFilter({
              trigger: DataChangeTrigger.StatusValue,
              deadbandType: c.deadbandType === 'Absolute' ? DeadbandType.Absolute : DeadbandType.Percent,
              deadbandValue: c.deadbandValue,
            }),
    };
    let subscription: ClientSubscription | undefined;
    const removers: Array<() => void> = [];

    // Every connection is a new session, so monitoring on each is never a duplicate; the previous
    // subscription died with its session and is only forgotten here.
    const monitor = async (connection: OpcuaConnection) => {
      subscription = undefined;
      const sub = await connection.subscribe({
        publishingIntervalMs: c.publishingIntervalMs,
        maxKeepAliveCount: KEEP_ALIVE_COUNT,
        lifetimeCount: 100,
      });
      if (ctx.signal.aborted || server.current !== connection) {
        await sub.terminate();
        return;
      }
      subscription = sub;
      // A server may end a subscription while the session lives on (its lifetime ran out, an
      // operator deleted it). It does not always say so: the client then only stops hearing from
      // it. Without this watch the data would stop with the status still "ok".
      let lastHeard = ctx.clock.now();
      const heard = () => (lastHeard = ctx.clock.now());
      sub.on('keepalive', heard);
      sub.on('received_notifications', heard);
      const silenceMs = Math.max(3 * c.publishingIntervalMs * KEEP_ALIVE_COUNT, 2000);
      const resubscribe = (reason: string) => {
        if (sub !== subscription || ctx.signal.aborted || server.current !== connection) return;
        subscription = undefined;
        watch.cancel();
        ctx.status({ state: 'reconnecting', text: `${reason}; subscribing again` });
        sub
          .terminate()
          .catch((err: unknown) =>
            ctx.log.debug('the ended subscription could not be deleted', { error: errorText(err) }),
          );
        monitor(connection).catch((err: unknown) =>
          ctx.error(
            new NodeError(
              opcuaErrors.code.OPCUA_SUBSCRIBE,
              `cannot subscribe again on ${connection.endpointUrl}: ${errorText(err)}`,
            ),
          ),
        );
      };
      const watch = ctx.clock.setInterval(() => {
        if (sub !== subscription) return watch.cancel();
        if (ctx.clock.now() - lastHeard > silenceMs)
          resubscribe(`no word from the subscription for ${Math.round(silenceMs / 1000)} s`);
      }, silenceMs / 2);
      sub.once('terminated', () => resubscribe('the server ended the subscription'));
      const results = await Promise.allSettled(
        items.map(async (item) => {
          const monitored = await sub.monitor(
            { nodeId: item.nodeId, attributeId: AttributeIds.Value },
            parameters,
            TimestampsToReturn.Both,
          );
          // The server answers per item; a refused item (unknown node, unsupported filter) resolves too.
          if (!monitored.statusCode.isGood()) throw new Error(describeStatus(monitored.statusCode));
          monitored.on('changed', (value: DataValue) => {
            if (sub === subscription) ctx.send(dataValueMessage(value, item.text, item.topic, ctx.clock.now()));
          });
          monitored.on('err', (message: string) =>
            ctx.error(new NodeError(opcuaErrors.code.OPCUA_MONITOR, `monitoring ${item.text} failed: ${message}`)),
          );
        }),
      );
      const failed = results.flatMap((r, i) =>
        r.status === 'rejected' ? [`${items[i].text}: ${errorText(r.reason)}`] : [],
      );
      for (const failure of failed)
        ctx.error(new NodeError(opcuaErrors.code.OPCUA_MONITOR, `cannot monitor ${failure}`));
      const ok = items.length - failed.length;
      ctx.status({
        state: failed.length === 0 ? 'ok' : 'error',
        text: `monitoring ${ok} of ${items.length} item${items.length === 1 ? '' : 's'}`,
      });
    };

    return {
      start() {
        const subscribeOn = (connection: OpcuaConnection) =>
          monitor(connection).catch((err: unknown) => {
            ctx.error(
              new NodeError(
                opcuaErrors.code.OPCUA_SUBSCRIBE,
                `cannot subscribe on ${connection.endpointUrl}: ${errorText(err)}`,
              ),
            );
          });
        removers.push(server.onConnect(subscribeOn));
        removers.push(
          server.onDisconnect(() => {
            subscription = undefined;
          }),
        );
      },
      async close() {
        for (const remove of removers.splice(0)) remove();
        const sub = subscription;
        subscription = undefined;
        if (!sub || !server.current) return;
        await sub
          .terminate()
          .catch((err: unknown) => ctx.log.warn('deleting the subscription failed', { error: String(err) }));
      },
    };
  },
});
