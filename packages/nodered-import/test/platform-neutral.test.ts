import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

// The editor will run the converter in a browser: its sources may import only flow-model and each other.
describe('nodered-import sources', () => {
  const root = join(__dirname, '..', 'src');
  const files = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? files(join(dir, e.name)).map((f) => join(e.name, f)) : e.name.endsWith('.ts') ? [e.name] : [],
    );

  it.each(files(root))('%s uses no Node.js module or global', (file) => {
    const text = readFileSync(join(root, file), 'utf8');
    for (const [, spec] of text.matchAll(/from '([^']+)'/g)) expect(spec).toMatch(/^(\.\.?\/|@tagflow\/flow-model$)/);
    // The function-code scanner names such globals in its patterns (`test: /.../`): those lines are data.
    const code = text
      .split('\n')
      .filter((line) => !/^\s*test: \//.test(line))
      .join('\n');
    expect(code).not.toMatch(/\b(require\(|process\.|Buffer\.|__dirname|setImmediate)/);
  });
});
