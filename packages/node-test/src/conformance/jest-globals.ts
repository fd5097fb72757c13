/** The jest globals the conformance suite declares its tests with (typed here: no jest types at build). */
export interface TestGlobals {
  describe(name: string, body: () => void): void;
  it(name: string, body: () => Promise<void>, timeoutMs?: number): void;
  beforeAll(body: () => Promise<void>, timeoutMs?: number): void;
  afterAll(body: () => Promise<void>, timeoutMs?: number): void;
  afterEach(body: () => Promise<void>, timeoutMs?: number): void;
}

const NAMES = ['describe', 'it', 'beforeAll', 'afterAll', 'afterEach'] as const;

/** jest's globals (or a runner with the same API); throws when called outside a test file. */
export function testGlobals(): TestGlobals {
  const scope = globalThis as Record<string, unknown>;
  const missing = NAMES.filter((name) => typeof scope[name] !== 'function');
  if (missing.length > 0) {
    throw new Error(
      `connectorConformance() declares tests: call it at the top level of a jest test file (${missing.join(', ')} not defined)`,
    );
  }
  return scope as unknown as TestGlobals;
}
