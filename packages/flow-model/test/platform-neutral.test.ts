import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

// The editor runs this package in a browser: its sources may import only ajv and each other.
describe('flow-model sources', () => {
  const dir = join(__dirname, '..', 'src');
  const files = readdirSync(dir).filter((f) => f.endsWith('.ts'));

  it.each(files)('%s uses no Node.js module or global', (file) => {
    const text = readFileSync(join(dir, file), 'utf8');
    const imports = [...text.matchAll(/from '([^']+)'/g)].map((m) => m[1]);
    for (const spec of imports) expect(spec).toMatch(/^(\.\/|ajv$|ajv\/|ajv-formats$|ajv-formats\/)/);
    expect(text).not.toMatch(/\b(require\(|process\.|Buffer\b|__dirname|setImmediate)/);
  });
});
