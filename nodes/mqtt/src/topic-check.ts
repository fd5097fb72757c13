import type { ConfigProblem } from '@tagflow/node-sdk';
import { mqttErrors } from './error-codes';

const PLACEHOLDER = /\{\{\s*[A-Za-z0-9_.]+\s*\}\}/g;

/**
 * A publish topic (or template) with a wildcard: a broker refuses to publish to `+` or `#`, and
 * drops the connection for it, so every message would fail. Placeholders are left out of the test:
 * what they render to is known only per message.
 */
export function publishTopicProblems(template: string, path: string, what: string): ConfigProblem[] {
  const fixed = template.replace(PLACEHOLDER, '');
  const wildcard = ['+', '#'].find((w) => fixed.includes(w));
  if (wildcard === undefined) return [];
  return [
    {
      path,
      message: `${what} ${JSON.stringify(template)} holds the wildcard "${wildcard}": wildcards are for subscribing (mqtt-in); a message is published to one exact topic`,
      code: mqttErrors.code.MQTT_CONFIG,
    },
  ];
}

/**
 * A topic filter the broker would refuse: `#` only as the last level, `+` and `#` only as a whole
 * level (`plant/+/flow`, `plant/#`; not `plant/pump+` or `plant/#/flow`).
 */
export function topicFilterProblems(filter: string, path: string): ConfigProblem[] {
  const levels = filter.split('/');
  const bad = levels.findIndex(
    (level, i) =>
      (level.includes('+') && level !== '+') || (level.includes('#') && (level !== '#' || i !== levels.length - 1)),
  );
  if (bad < 0) return [];
  return [
    {
      path,
      message: `the topic filter ${JSON.stringify(filter)} is not valid MQTT: level ${bad + 1} (${JSON.stringify(levels[bad])}) uses a wildcard wrongly; "+" stands alone for one level and "#" alone as the last level (plant/+/flow, plant/#)`,
      code: mqttErrors.code.MQTT_CONFIG,
    },
  ];
}

/** A broker URL that names no host cannot connect: refused before the runtime starts retrying. */
export function brokerUrlProblems(url: string): ConfigProblem[] {
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch (err) {
    return [
      {
        path: '/url',
        message: `the broker URL ${JSON.stringify(url)} is not a valid URL (${(err as Error).message}); write it like mqtt://10.0.0.5:1883`,
        code: mqttErrors.code.MQTT_CONFIG,
      },
    ];
  }
  if (host !== '') return [];
  return [
    {
      path: '/url',
      message: `the broker URL ${JSON.stringify(url)} names no host; write it like mqtt://10.0.0.5:1883`,
      code: mqttErrors.code.MQTT_CONFIG,
    },
  ];
}
