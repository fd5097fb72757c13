/** A secret's name from a config node's name: `MQTT_PLANT_BROKER_PASSWORD`. */
export function secretName(label: unknown, prefix: string, suffix: string): string {
  const words = String(label ?? '')
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  return [prefix, words, suffix].filter((w) => w !== '').join('_');
}
