import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PYTHON = '/usr/bin/python3';
const SCRIPT = join(__dirname, 'modbus-client.py');

/** A request for the pymodbus client (see test/modbus-client.py). */
export type ClientOp = Record<string, unknown> & { op: string; address: number };
/** Its answer: words, bits, a decoded value, ok, or the Modbus exception code the server answered. */
export interface ClientAnswer {
  words?: number[];
  bits?: boolean[];
  value?: number | string;
  ok?: boolean;
  exception?: number;
  error?: string;
}

/**
 * Runs requests with Debian's pymodbus 3.0 client (a Modbus client not written here) against
 * 127.0.0.1:`port`, one connection, in order. Fails, never skips, when Python or pymodbus is missing.
 */
export function pymodbusClient(port: number, ops: ClientOp[]): Promise<ClientAnswer[]> {
  if (!existsSync(PYTHON))
    throw new Error(`${PYTHON} is missing: install python3-pymodbus (bash scripts/system-deps.sh)`);
  const file = join(mkdtempSync(join(tmpdir(), 'tagflow-pymodbus-client-')), 'ops.json');
  writeFileSync(file, JSON.stringify(ops));
  return new Promise((resolve, reject) => {
    execFile(PYTHON, [SCRIPT, String(port), file], { timeout: 30_000 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`the pymodbus client failed: ${err.message}\n${stderr}`));
      resolve(
        stdout
          .split('\n')
          .filter((line) => line.trim() !== '')
          .map((line) => JSON.parse(line) as ClientAnswer),
      );
    });
  });
}
