export { default as nats } from './nats.resource';
export { default as natsIn } from './nats-in.node';
export { default as natsOut } from './nats-out.node';
export { NatsLink } from './nats-connection';
export { natsErrors } from './error-codes';
