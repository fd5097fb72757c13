import type { Writable } from 'node:stream';

/** Where packets are written: a slab is handed to the socket a piece at a time, never reused. */
const SLAB_BYTES = 64 * 1024;

/** The MQTT variable byte integer's length for `n` (1 to 4 bytes). */
function varIntLength(n: number): number {
  return n < 0x80 ? 1 : n < 0x4000 ? 2 : n < 0x200000 ? 3 : 4;
}

/** The most bytes a PUBLISH of this topic and body can take (a UTF-16 unit is at most 3 bytes of UTF-8). */
export function mostPublishBytes(topic: string, body: string): number {
  return 1 + 4 + 2 + 3 * topic.length + 2 + 1 + 3 * body.length;
}

/**
 * Writes PUBLISH packets of one connection (QoS 0, or QoS 1 with the message id the caller
 * allocated; no MQTT 5 properties) into a buffer, handed to the socket with one write at the end of
 * the event-loop turn or when asked.
 *
 * Why not mqtt.js: its publish makes five socket writes per packet (header, length, topic length,
 * topic, payload), a debug call per step and a process.nextTick per packet, which together cost
 * about half of a QoS 0 publisher's CPU. Only the bytes are written here: what a QoS 1 publish needs
 * besides (its message id, its entry among the publishes awaiting a PUBACK) is the caller's.
 *
 * Contract: whoever else writes to the same socket calls `flush()` first, so that packets go out
 * in the order they were given. A packet written with a callback is confirmed when the socket took
 * it (at once, or on its next 'drain': one listener for all the packets of a write, where mqtt.js
 * adds one per packet); one written without relies on the caller's check that the socket has room
 * (`pendingBytes` counts what waits here).
 */
export class PublishPacketWriter {
  private slab = Buffer.allocUnsafeSlow(SLAB_BYTES);
  /** What is written to the slab and not yet handed to the socket: [start, end). */
  private start = 0;
  private end = 0;
  private flushQueued = false;
  /** Callbacks of the packets waiting here, called once the socket took them. */
  private callbacks: Array<(err?: Error) => void> = [];
  /** Callbacks of packets the socket took beyond its buffer's size: called on its next 'drain'. */
  private waitingDrain: Array<(err?: Error) => void> | undefined;
  private lastTopic = '';
  private lastTopicBytes = 0;
  private readonly propertyBytes: 0 | 1;

  /**
   * @param stream the connection's socket, read at each flush (mqtt.js may replace it).
   * @param protocolVersion 4 (MQTT 3.1.1) or 5 (the packet then has an empty property list).
   */
  constructor(
    private readonly stream: () => Writable,
    protocolVersion: number,
  ) {
    this.propertyBytes = protocolVersion === 5 ? 1 : 0;
  }

  /** Bytes written here and not handed to the socket yet. */
  get pendingBytes(): number {
    return this.end - this.start;
  }

  /**
   * Encodes one packet; false (nothing written) for a topic the packet cannot hold (empty, or over
   * 65,535 bytes) or a packet larger than the buffer, which then go through mqtt.js.
   */
  write(topic: string, body: string, retain: boolean, done?: (err?: Error) => void, messageId?: number): boolean {
    if (topic !== this.lastTopic) {
      this.lastTopic = topic;
      this.lastTopicBytes = Buffer.byteLength(topic);
    }
    const topicBytes = this.lastTopicBytes;
    if (topicBytes === 0 || topicBytes > 0xffff) return false;
    const idBytes = messageId === undefined ? 0 : 2;
    const most = 1 + 4 + 2 + topicBytes + idBytes + this.propertyBytes + 3 * body.length;
    if (most > SLAB_BYTES) return false;
    if (this.end + most > this.slab.length) {
      this.flush();
      this.slab = Buffer.allocUnsafeSlow(SLAB_BYTES);
      this.start = 0;
      this.end = 0;
    }
    const fixed = 2 + topicBytes + idBytes + this.propertyBytes;
    // The body's UTF-8 length is known once it is written: guess it is ASCII (a number, JSON of
    // numbers), and write again in the rare case that moved the remaining length's own length.
    let lengthBytes = varIntLength(fixed + body.length);
    let bodyBytes = this.encode(topic, body, retain, messageId, fixed, lengthBytes);
    const actual = varIntLength(fixed + bodyBytes);
    if (actual !== lengthBytes) {
      lengthBytes = actual;
      bodyBytes = this.encode(topic, body, retain, messageId, fixed, lengthBytes);
    }
    this.end += 1 + lengthBytes + fixed + bodyBytes;
    if (done !== undefined) this.callbacks.push(done);
    if (!this.flushQueued) {
      this.flushQueued = true;
      process.nextTick(this.flushAtTurnEnd);
    }
    return true;
  }

  /** Writes one packet at `end`; returns the body's bytes. */
  private encode(
    topic: string,
    body: string,
    retain: boolean,
    messageId: number | undefined,
    fixed: number,
    lengthBytes: number,
  ): number {
    const slab = this.slab;
    let at = this.end;
    const bodyAt = at + 1 + lengthBytes + fixed;
    const bodyBytes = slab.write(body, bodyAt);
    // PUBLISH, QoS in bits 1-2, RETAIN in bit 0 (DUP stays 0: a first send).
    slab[at++] = 0x30 | (messageId === undefined ? 0 : 0x02) | (retain ? 0x01 : 0);
    let remaining = fixed + bodyBytes;
    for (let k = 1; k < lengthBytes; k++) {
      slab[at++] = (remaining & 0x7f) | 0x80;
      remaining >>>= 7;
    }
    slab[at++] = remaining;
    slab[at++] = this.lastTopicBytes >>> 8;
    slab[at++] = this.lastTopicBytes & 0xff;
    at += slab.write(topic, at);
    if (messageId !== undefined) {
      slab[at++] = messageId >>> 8;
      slab[at++] = messageId & 0xff;
    }
    if (this.propertyBytes === 1) slab[at] = 0;
    return bodyBytes;
  }

  private readonly flushAtTurnEnd = () => {
    this.flushQueued = false;
    this.flush();
  };

  /**
   * Hands what waits to the socket. A socket already closed takes nothing: those packets are lost,
   * as QoS 0 packets in a closing socket's buffer are, and their callbacks get the error.
   */
  flush(): void {
    if (this.end === this.start) return;
    const chunk = this.slab.subarray(this.start, this.end);
    this.start = this.end;
    const callbacks = this.callbacks;
    if (callbacks.length > 0) this.callbacks = [];
    const stream = this.stream();
    if (stream.destroyed || stream.writableEnded) {
      const lost = new Error('the connection closed before the message was written');
      for (const done of callbacks) done(lost);
      return;
    }
    const took = stream.write(chunk);
    if (this.waitingDrain !== undefined) {
      // One 'drain' listener at a time however many writes wait for it.
      for (const done of callbacks) this.waitingDrain.push(done);
      return;
    }
    if (took || callbacks.length === 0) {
      for (const done of callbacks) done();
      return;
    }
    this.waitingDrain = callbacks;
    stream.once('drain', () => {
      const waiting = this.waitingDrain ?? [];
      this.waitingDrain = undefined;
      for (const done of waiting) done();
    });
  }
}
