// mqtt-out's own encoding of QoS 0 and QoS 1 publishes must be byte for byte what mqtt.js's encoder
// (mqtt-packet) writes for the same packet, packets one after the other in the order given, and
// written at the end of the turn in one piece.
import { PassThrough, Writable } from 'node:stream';
import mqttPacket from 'mqtt-packet';
import { PublishPacketWriter } from '../src/publish-packet-writer';

function expected(protocolVersion: 4 | 5, topic: string, body: string, retain: boolean, messageId?: number): Buffer {
  const qos = messageId === undefined ? 0 : 1;
  return mqttPacket.generate(
    { cmd: 'publish', topic, payload: body, qos, retain, dup: false, messageId },
    { protocolVersion },
  );
}

function collect(): { stream: PassThrough; chunks: Buffer[] } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  return { stream, chunks };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

const CASES: Array<[string, string, string, boolean]> = [
  ['a number', 'plant1/pump/flow', '42.125', false],
  ['retained', 'plant1/pump/flow', '-3', true],
  ['an empty body', 't', '', false],
  ['a non-ASCII topic', 'usine/débit/µs', '1', false],
  // ASCII length puts the remaining length under 128, its UTF-8 length over: one byte more of length.
  ['a body whose UTF-8 length moves the remaining length to two bytes', 'x', '"' + 'é'.repeat(70) + '"', false],
  ['a body needing three bytes of remaining length', 'big', 'a'.repeat(20_000), false],
  ['four-byte characters', 't/🙂', '"🙂🙂"', true],
];

describe.each([4, 5] as const)('MQTT protocol version %d', (protocolVersion) => {
  it.each(CASES)('encodes %s as mqtt-packet does', async (_what, topic, body, retain) => {
    const { stream, chunks } = collect();
    const writer = new PublishPacketWriter(() => stream, protocolVersion);
    expect(writer.write(topic, body, retain)).toBe(true);
    await turn();
    expect(Buffer.concat(chunks).equals(expected(protocolVersion, topic, body, retain))).toBe(true);
  });

  it.each(CASES)(
    'encodes %s at QoS 1 as mqtt-packet does, with each message id',
    async (_what, topic, body, retain) => {
      for (const messageId of [1, 0x1234, 65535]) {
        const { stream, chunks } = collect();
        const writer = new PublishPacketWriter(() => stream, protocolVersion);
        expect(writer.write(topic, body, retain, undefined, messageId)).toBe(true);
        await turn();
        expect(Buffer.concat(chunks).equals(expected(protocolVersion, topic, body, retain, messageId))).toBe(true);
      }
    },
  );

  it('writes a turn of packets with one socket write, in the order given', async () => {
    const { stream, chunks } = collect();
    const writer = new PublishPacketWriter(() => stream, protocolVersion);
    const bodies = Array.from({ length: 500 }, (_, i) => String(i * 1.5));
    for (const body of bodies) writer.write('sensor/1', body, false);
    expect(writer.pendingBytes).toBe(
      bodies.reduce((n, body) => n + expected(protocolVersion, 'sensor/1', body, false).length, 0),
    );
    expect(chunks).toHaveLength(0);
    await turn();
    expect(chunks).toHaveLength(1);
    expect(writer.pendingBytes).toBe(0);
    expect(chunks[0].equals(Buffer.concat(bodies.map((b) => expected(protocolVersion, 'sensor/1', b, false))))).toBe(
      true,
    );
  });

  it('goes on in a new buffer when one is full, every packet whole and in order', async () => {
    const { stream, chunks } = collect();
    const writer = new PublishPacketWriter(() => stream, protocolVersion);
    const bodies = Array.from(
      { length: 40 },
      (_, i) =>
        `"${String(i)
          .repeat(3000)
          .slice(0, 3000 + i)}"`,
    );
    for (const body of bodies) expect(writer.write('t/big', body, false)).toBe(true);
    await turn();
    expect(chunks.length).toBeGreaterThan(1);
    expect(
      Buffer.concat(chunks).equals(Buffer.concat(bodies.map((b) => expected(protocolVersion, 't/big', b, false)))),
    ).toBe(true);
  });

  it('flush() hands over at once what waits, so that another writer of the socket follows in order', async () => {
    const { stream, chunks } = collect();
    const writer = new PublishPacketWriter(() => stream, protocolVersion);
    writer.write('a', '1', false);
    writer.flush();
    expect(writer.pendingBytes).toBe(0);
    stream.write(Buffer.from('next'));
    await turn();
    expect(Buffer.concat(chunks)).toEqual(
      Buffer.concat([expected(protocolVersion, 'a', '1', false), Buffer.from('next')]),
    );
  });

  it('refuses what it cannot encode, writing nothing: an empty topic, a packet over its buffer', async () => {
    const { stream, chunks } = collect();
    const writer = new PublishPacketWriter(() => stream, protocolVersion);
    expect(writer.write('', '1', false)).toBe(false);
    expect(writer.write('t', 'x'.repeat(30_000), false)).toBe(false);
    expect(writer.write('t'.repeat(70_000), '1', false)).toBe(false);
    expect(writer.pendingBytes).toBe(0);
    await turn();
    expect(chunks).toHaveLength(0);
  });

  it('writes nothing to a closed socket', async () => {
    const { stream, chunks } = collect();
    const writer = new PublishPacketWriter(() => stream, protocolVersion);
    writer.write('t', '1', false);
    stream.destroy();
    await turn();
    expect(chunks).toHaveLength(0);
    expect(writer.pendingBytes).toBe(0);
  });

  it('confirms packets once the socket took them: at once, or all on one drain when its buffer is full', async () => {
    // A socket whose peer reads nothing until told: 1 KB of buffer.
    const written: Buffer[] = [];
    let release: (() => void) | undefined;
    const stream = new Writable({
      highWaterMark: 1024,
      write(chunk: Buffer, _encoding, callback) {
        written.push(chunk);
        release = () => callback();
      },
    });
    const writer = new PublishPacketWriter(() => stream, protocolVersion);
    const confirmed: number[] = [];
    const failed: Error[] = [];
    const done = (i: number) => (err?: Error) => (err ? failed.push(err) : confirmed.push(i));
    writer.write('t', '1', false, done(1));
    await turn();
    expect(confirmed).toEqual([1]); // under the buffer's size: taken at once
    // Then 600 bytes a turn: once over the buffer's size, every packet waits for the drain, with one listener.
    for (let i = 2; i <= 40; i++) {
      writer.write('t', `"${'x'.repeat(600)}"`, false, done(i));
      await turn();
    }
    // The second still fitted in the 1 KB; from the third on the socket was over it.
    expect(confirmed).toEqual([1, 2]);
    expect(stream.listenerCount('drain')).toBe(1);
    while (release) {
      const r = release;
      release = undefined;
      r();
      await turn();
    }
    expect(confirmed).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(failed).toEqual([]);
    expect(stream.listenerCount('drain')).toBe(0);
  });

  it('tells the callbacks of packets that a closed socket did not take', async () => {
    const { stream } = collect();
    const writer = new PublishPacketWriter(() => stream, protocolVersion);
    const results: Array<Error | undefined> = [];
    writer.write('t', '1', false, (err) => results.push(err));
    stream.destroy();
    await turn();
    expect(results).toEqual([new Error('the connection closed before the message was written')]);
  });
});
