import { defineNode, NodeError, refuseConfig } from '@tagflow/node-sdk';
import type { Message } from '@tagflow/node-sdk';
import { opcuaErrors } from './error-codes';
// Types only: this file must load without node-opcua (the opcua-host resource loads it).
import type { OpcuaHost, ServedTags, TagWrite } from './opcua-host-server';
import { servedTagProblems, servedTagsSchema } from './served-tags';

export default defineNode({
  type: 'opcua-serve',
  version: 1,
  category: 'publisher',
  description: "Serves tags on tagflow's own OPC UA server: messages set their values, client writes come out.",
  docs: [
    'Puts its `tags` in the address space of an `opcua-host` resource (tagflow’s own OPC UA server),',
    'and keeps them up to date: a message whose `topic` is a tag’s name sets that tag. OPC UA clients',
    '(SCADA, HMI, MES) browse, read and subscribe to them.',
    '',
    '## What a message sets',
    '',
    '| message | OPC UA variable |',
    '| --- | --- |',
    '| `topic` | which tag (its name; `Pump3/Flow` is the variable `Flow` in the folder `Pump3`, node id `ns=<index>;s=Pump3/Flow`) |',
    "| `payload` | the value, which must fit the tag's data type: `true`/`false` for Boolean, an integer within range for the integer types, a number for Float/Double, a text for String, ISO 8601 text or ms since 1970 for DateTime |",
    '| `timestamp` | SourceTimestamp (when the value was measured) |',
    '| `quality` | StatusCode: `good` Good, `uncertain` Uncertain, `bad` Bad (a message from opcua-subscribe keeps its exact status, e.g. BadSensorFailure) |',
    '',
    'Until the first message, a tag reads as BadWaitingForInitialData. A message with quality `bad`',
    'and no payload keeps the last value, marked Bad. A payload that does not fit is refused with',
    '`OPCUA_SERVE_VALUE` (`tag "Pump3/Mode" (Byte) cannot hold 300: expected Byte in the range 0..255`):',
    'the tag keeps its last value and the error is counted on the node. A topic that is no tag is',
    'refused with `OPCUA_SERVE_UNKNOWN_TAG`. The `range` is the tag’s EURange: it tells clients the',
    'normal range; values from the flow outside it are served (a sensor may read beyond it).',
    '',
    '## What it sends',
    '',
    'When an OPC UA client writes a `writable` tag, the node sends the written value into the flow:',
    '',
    '```json',
    '{ "topic": "Pump3/Setpoint", "payload": 42.5, "timestamp": 1795401734599, "quality": "good", "nodeId": "ns=1;s=Pump3/Setpoint" }',
    '```',
    '',
    'A client writing a tag that is not `writable` gets BadNotWritable; a value of another data type',
    '(a String to a Double tag) gets BadTypeMismatch; a value outside the `range` of a writable tag',
    'gets BadOutOfRange (the range is then also its InstrumentRange). Nothing enters the flow then.',
    '',
    'Each tag has one source: a second opcua-serve node serving the same name on the same host is',
    'refused (`OPCUA_SERVE_TAKEN`, shown on the node).',
    '',
    '## Example',
    '',
    '```json',
    '{',
    '  "id": "serve-pump3",',
    '  "type": "opcua-serve",',
    '  "typeVersion": 1,',
    '  "config": {',
    '    "host": "gateway",',
    '    "tags": [',
    '      { "name": "Pump3/Flow", "dataType": "Double", "unit": "m³/h", "range": { "low": 0, "high": 120 }, "description": "Outlet flow" },',
    '      { "name": "Pump3/Running", "dataType": "Boolean" },',
    '      { "name": "Pump3/Setpoint", "dataType": "Double", "unit": "m³/h", "writable": true }',
    '    ]',
    '  }',
    '}',
    '```',
  ].join('\n'),
  inputs: ['in'],
  outputs: ['out'],
  resources: { host: 'opcua-host' },
  errors: opcuaErrors.pick(
    'OPCUA_SERVE_CONFIG',
    'OPCUA_SERVE_TAKEN',
    'OPCUA_SERVE_UNKNOWN_TAG',
    'OPCUA_SERVE_VALUE',
    'OPCUA_NOT_CONNECTED',
  ),
  configSchema: {
    type: 'object',
    properties: {
      host: {
        type: 'string',
        description: 'Id of the opcua-host resource (tagflow’s own OPC UA server) serving the tags.',
        minLength: 1,
        'x-ui': { label: 'OPC UA host', widget: 'resource', resourceType: 'opcua-host' },
      },
      tags: servedTagsSchema,
    },
    required: ['host', 'tags'],
    additionalProperties: false,
  },

  check: (c) => servedTagProblems(c.tags),

  create(ctx) {
    const c = ctx.config;
    refuseConfig(servedTagProblems(c.tags));
    const handle = ctx.resource<OpcuaHost>(c.host);
    let served: ServedTags | undefined;
    let nodeIdOf = (tag: string) => tag;

    const onWrite = (write: TagWrite) =>
      ctx.send({
        topic: write.tag,
        payload: write.payload,
        timestamp: write.timestamp,
        quality: 'good',
        nodeId: nodeIdOf(write.tag),
      });

    // Each start of the server (first, or after it was restarted) gets the tags anew.
    const removeListener = handle.onConnect((host) => {
      served?.remove();
      served = undefined;
      try {
        served = host.serve(ctx.id, c.tags, onWrite);
        nodeIdOf = (tag) => host.nodeIdOf(tag);
        ctx.status({ state: 'ok', text: `serving ${c.tags.length} tags on ${host.endpointUrl}` });
      } catch (err) {
        ctx.status({ state: 'error', text: err instanceof Error ? err.message : String(err) });
        ctx.error(err);
      }
    });

    return {
      onMessage(msg: Message) {
        if (!served)
          throw new NodeError(
            opcuaErrors.code.OPCUA_NOT_CONNECTED,
            `the OPC UA host "${c.host}" is not serving this node's tags now: ${JSON.stringify(msg.topic ?? null)} not served`,
          );
        served.update(msg);
      },
      close() {
        removeListener();
        served?.remove();
        served = undefined;
      },
    };
  },
});
