/** The Sparkplug B topic namespace (specification 3.0): `spBv1.0/<group>/<type>/<edge node>[/<device>]`. */
export const NAMESPACE = 'spBv1.0';

/** The message types of the topic namespace. */
export type MessageType = 'NBIRTH' | 'NDEATH' | 'NDATA' | 'NCMD' | 'DBIRTH' | 'DDEATH' | 'DDATA' | 'DCMD';

const TYPES = new Set<string>(['NBIRTH', 'NDEATH', 'NDATA', 'NCMD', 'DBIRTH', 'DDEATH', 'DDATA', 'DCMD']);

/** The parts of a Sparkplug topic. */
export interface SparkplugTopic {
  groupId: string;
  type: MessageType;
  edgeNodeId: string;
  deviceId?: string;
}

/** The topic of a message, e.g. `spBv1.0/plant1/DDATA/edge7/pump3`. */
export function sparkplugTopic(groupId: string, type: MessageType, edgeNodeId: string, deviceId?: string): string {
  return [NAMESPACE, groupId, type, edgeNodeId, ...(deviceId === undefined ? [] : [deviceId])].join('/');
}

/** The topic on which a host application announces itself (`spBv1.0/STATE/<host id>`). */
export function stateTopic(hostId: string): string {
  return `${NAMESPACE}/STATE/${hostId}`;
}

/** The parts of a Sparkplug B topic, or undefined for any other topic (STATE included). */
export function parseTopic(topic: string): SparkplugTopic | undefined {
  const parts = topic.split('/');
  if (parts[0] !== NAMESPACE || parts.length < 4 || parts.length > 5 || !TYPES.has(parts[2])) return undefined;
  const type = parts[2] as MessageType;
  const forDevice = type.startsWith('D');
  if (forDevice !== (parts.length === 5)) return undefined;
  return { groupId: parts[1], type, edgeNodeId: parts[3], ...(forDevice ? { deviceId: parts[4] } : {}) };
}

/**
 * Problems with an id used as a topic element: the specification allows any UTF-8 text but the
 * MQTT separators and wildcards (`/`, `+`, `#`).
 */
export function idProblem(id: string): string | undefined {
  return /[/+#]/.test(id) ? 'must not contain "/", "+" or "#"' : undefined;
}

/**
 * A host application's STATE message (`{"online": true, "timestamp": ...}` in 3.0; the bare
 * `ONLINE`/`OFFLINE` of 2.2 is read too): whether the host is online.
 */
export function parseState(body: Buffer): boolean | undefined {
  const text = body.toString('utf8').trim();
  if (text === 'ONLINE') return true;
  if (text === 'OFFLINE') return false;
  try {
    const parsed = JSON.parse(text) as { online?: unknown };
    return typeof parsed.online === 'boolean' ? parsed.online : undefined;
  } catch {
    return undefined;
  }
}
