import { Agent, request } from 'node:http';

/** A keep-alive agent whose connections leave from `localAddress` (127.0.0.x: any loopback address works on Linux). */
export function agentFrom(localAddress: string): Agent {
  return new Agent({ keepAlive: true, maxSockets: 1, localAddress });
}

/** GET `path` with a bearer token, from a chosen local address, as a client on another loopback address would. */
export function getFrom(
  base: string,
  path: string,
  options: { token?: string; localAddress?: string; agent?: Agent },
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(path, base),
      {
        agent: options.agent,
        localAddress: options.agent ? undefined : options.localAddress,
        headers: options.token === undefined ? {} : { authorization: `Bearer ${options.token}` },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}
