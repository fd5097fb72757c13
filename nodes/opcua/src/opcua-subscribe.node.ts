import { defineNode, NodeError } from '@tagflow/node-sdk';
import { opcuaErrors } from './error-codes';
import { serverProperty, variableItemSchema } from './schema-pieces';
import { errorText } from './error-text';
import type { ClientSubscription, DataValue } from 'node-opcua';
import { itemNodeIdProblems, parseNodeId } from './node-id';
import { describeStatus } from './status-quality';
import type { OpcuaConnection } from './opcua-connection';

/** Publishing intervals without data after which the server sends a keep-alive. */
const KEEP_ALIVE_COUNT = 10;
export default defineNode({
  type: 'opcua-subscribe',
  version: 1,
  category: 'source',
  description: 'Sends a message for each change of the monitored OPC UA variables.',
  docs: [
    'Monitors variables through an OPC UA subscription and sends a message for each data change.',
    '',
    '## What it sends',
    '',
    'One message per data change:',
    '',
    '```json',
    '{',
    '  "payload": 41.7,',
    '  "topic": "pump3/flow",',
    '  "timestamp": 1795401734599,',
    '  "quality": "good",',
    '  "statusCode": "Good",',
    '  "nodeId": "ns=2;s=Pump3.Flow"',
    '}',
    '```',
    '',
    '- `payload`: the value (number, boolean, text, array; DateTime as ISO text); `null` when the status',
    '  is Bad, so a bad value never passes as a good number.',
    "- `topic`: the item's `name`, else its node id.",
    '- `timestamp`: the source timestamp (when the device measured it), else the server timestamp.',
    "- `quality`: `good`, `uncertain` or `bad` from the status code's severity; `statusCode` is its name",
    '  (`Good`, `UncertainLastUsableValue`, `BadSensorFailure`...).',
    '',
    '## Status and refused items',
    '',
    'The status shows `monitoring 2 of 2 items`. An item the server refuses (unknown node id,',
    'unsupported filter) is reported as an `OPCUA_MONITOR` error naming the node and the status',
    '(`cannot monitor ns=2;s=Pump3.Flw: BadNodeIdUnknown (...)`), the status turns to `error`',
    '(`monitoring 1 of 2 items`), and the other items are monitored. A malformed node id fails the',
    'deploy. A `Percent` deadband needs an analog variable with an EURange: a server refuses it for',
    'variables without one.',
    '',
    '## Reconnects',
    '',
    'The subscription is made again on every new connection (after a server restart or a network',
    'outage), never twice on one session; changes made while the connection was down are not replayed.',
    'It is deleted on the server when the node stops. A server may also end a subscription while the',
    'session lives on (its lifetime ran out, an operator deleted it), often without telling the client:',
    "the node watches for the server's keep-alives, and after three keep-alive periods of silence (at",
    'least 2 s) it shows `no word from the subscription for N s; subscribing again` and subscribes again',
    'on the same session.',
    '',
    '## Example',
    '',
    "Pump 3's flow (reported when it moves by more than 0.2) and its running state, published twice a",
    'second:',
    '',
    '```json',
    '{',
    '  "id": "tags",',
    '  "type": "opcua-subscribe",',
    '  "typeVersion": 1,',
    '  "config": {',
    '    "server": "plc",',
    '    "items": [{ "nodeId": "ns=2;s=Pump3.Flow", "name": "pump3/flow" }, { "nodeId": "ns=2;s=Pump3.Running" }],',
    '    "publishingIntervalMs": 500,',
    '    "deadbandType": "Absolute",',
    '    "deadbandValue": 0.2',
    '  }',
    '}',
    '```',
  ].join('\n'),
  inputs: [],
  outputs: ['out'],
  resources: { server: 'opcua-server' },
  errors: opcuaErrors.pick('OPCUA_NODE_ID', 'OPCUA_SUBSCRIBE', 'OPCUA_MONITOR'),
  configSchema: {
    type: 'object',
    properties: {
      server: serverProperty,
      items: {
        type: 'array',
        description: 'Variables to monitor.',
        minItems: 1,
        items: variableItemSchema,
        'x-ui': { label: 'Monitored items' },
      },
      publishingIntervalMs: {
        type: 'integer',
        description: 'How often the server sends the changes it collected.',
        default: 1000,
        minimum: 10,
        'x-ui': { label: 'Publishing interval', unit: 'ms' },
      },
      samplingIntervalMs: {
        type: 'number',
        description: 'How often the server samples each variable; 0 = as fast as it can.',
        default: 250,
        minimum: 0,
        'x-ui': { label: 'Sampling interval', unit: 'ms' },
      },
      queueSize: {
        type: 'integer',
        description: 'Changes the server keeps per item between two publishes; 1 keeps only the latest.',
        default: 10,
        minimum: 1,
        'x-ui': { label: 'Queue size' },
      },
      deadbandType: {
        description:
          'Server-side deadband (DataChangeFilter): Absolute in value units; Percent of the EURange (only for analog items that have one).',
        default: 'None',
        enum: ['None', 'Absolute', 'Percent'],
        'x-ui': { label: 'Deadband' },
      },
      deadbandValue: {
        type: 'number',
        description: 'A change smaller than or equal to this is not reported.',
        default: 0,
        minimum: 0,
        'x-ui': { label: 'Deadband value' },
      },
    },
    required: ['server', 'items'],
    additionalProperties: false,
  },

  check: (c) => itemNodeIdProblems(c.items),

  create(ctx) {
    const c = ctx.config;
    const server = ctx.resource<OpcuaConnection>(c.server);
    // Parsed once, at deploy: a typo fails the deploy instead of each connection.
    const items = c.items.map((item) => ({
      nodeId: parseNodeId(item.nodeId),
      text: item.nodeId,
      topic: item.name ?? item.nodeId,
    }));
    // node-opcua loads here, when a flow first uses this node, not with the palette.
    const { monitoringParameters, monitorValue } = require('./opcua-monitoring') as typeof import('./opcua-monitoring');
    const { dataValueMessage } = require('./data-value-message') as typeof import('./data-value-message');
    const parameters = monitoringParameters(c);
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
          const monitored = await monitorValue(sub, item.nodeId, parameters);
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
