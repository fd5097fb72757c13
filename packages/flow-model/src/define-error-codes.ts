/**
 * A package's error codes as data: each code with a one-line meaning, written once in the
 * package's `src/error-codes.ts`. Code raises `catalogue.code.X` (never a string literal), node
 * definitions list the codes they may raise (`errors: catalogue.pick('NOT_A_NUMBER')`), and the
 * docs print the meanings. Node packages import `defineErrorCodes` from `@tagflow/node-sdk`,
 * which re-exports this one.
 *
 * @example
 * export const coreErrors = defineErrorCodes({ NOT_A_NUMBER: 'The payload is not a finite number.' });
 * throw new NodeError(coreErrors.code.NOT_A_NUMBER, `expected a number, got ${typeof value}`);
 *
 * Codes with which a type's `check` refuses a configuration are marked with `withRefusals`: a repo
 * test then requires, for each, a bad config that `validate` and a deploy both refuse with it.
 * `export const acmeErrors = defineErrorCodes({ ... }).withRefusals('BAD_LIMITS');`
 */
export interface ErrorCatalogue<C extends string> {
  /** Each code by name, so that a misspelt code fails to compile: `catalogue.code.NOT_A_NUMBER`. */
  readonly code: { readonly [K in C]: K };
  /** Each code's one-line meaning, for the docs and the editor. */
  readonly meanings: Readonly<Record<C, string>>;
  /** The meanings of some codes: what a node definition's `errors` lists. */
  pick<K extends C>(...codes: K[]): Readonly<Record<K, string>>;
  /** The codes that refuse a configuration (a type's `check` reports them at validate and deploy). */
  readonly refusals: readonly C[];
  /** The same catalogue with `codes` marked as configuration refusals. */
  withRefusals(...codes: C[]): ErrorCatalogue<C>;
}

/** The union of a catalogue's codes: `type FlowIssueCode = ErrorCodeOf<typeof flowErrors>`. */
export type ErrorCodeOf<T> = T extends ErrorCatalogue<infer C> ? C : never;

/** Declares a package's error codes (UPPER_SNAKE_CASE), each with a one-line meaning. */
export function defineErrorCodes<const T extends Readonly<Record<string, string>>>(
  meanings: T,
): ErrorCatalogue<keyof T & string> {
  return catalogue<keyof T & string>(meanings, []);
}

function catalogue<C extends string>(meanings: Readonly<Record<C, string>>, refusals: readonly C[]): ErrorCatalogue<C> {
  const code: Record<string, string> = {};
  for (const name of Object.keys(meanings)) {
    if (!/^[A-Z][A-Z0-9_]*$/.test(name)) throw new Error(`error code "${name}" must be UPPER_SNAKE_CASE`);
    if (!/^\S[^\n]*$/.test(meanings[name as C])) throw new Error(`error code "${name}" needs its meaning, on one line`);
    code[name] = name;
  }
  for (const name of refusals) if (!(name in code)) throw new Error(`refusal "${name}" is not one of the codes`);
  return {
    code: Object.freeze(code) as { readonly [K in C]: K },
    refusals: Object.freeze([...refusals]),
    withRefusals: (...codes) => catalogue(meanings, [...new Set([...refusals, ...codes])]),
    meanings: Object.freeze({ ...meanings }),
    pick: (...codes) => Object.freeze(Object.fromEntries(codes.map((c) => [c, meanings[c]]))) as never,
  };
}
