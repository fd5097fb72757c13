import { connectorConformance, NatsServer } from '@tagflow/node-test';
import { nats, natsIn, natsOut } from '../src';

// The shared connector suite, through JetStream, against a real nats-server that it stops and
// starts (the same store folder, so the stream and the consumers outlive a restart).
let server: NatsServer | undefined;

connectorConformance({
  name: 'nats with nats-out/nats-in (JetStream) against nats-server',
  resource: nats,
  nodes: [natsIn, natsOut],
  async startPeer() {
    if (server) await server.up();
    else server = await NatsServer.start();
  },
  stopPeer: async () => server?.down(),
  resourceConfig: () => ({ servers: [(server as NatsServer).url], pingIntervalMs: 500 }),
  publisher: (resourceId, channel) => ({
    type: 'nats-out',
    config: { server: resourceId, subject: `conf.${channel}`, jetstream: true },
  }),
  subscriber: (resourceId, channel) => ({
    type: 'nats-in',
    config: {
      server: resourceId,
      mode: 'jetstream',
      stream: 'CONFORMANCE',
      streamSubjects: ['conf.>'],
      consumer: channel,
      subject: `conf.${channel}`,
    },
  }),
  messages: 2000,
});
