export { default as mqttBroker } from './mqtt-broker.resource';
export { default as mqttIn } from './mqtt-in.node';
export { default as mqttOut } from './mqtt-out.node';
export { MqttConnection } from './mqtt-connection';
export { renderTopic, topicMatches } from './topic-template';
export { mqttErrors } from './error-codes';
