import type jsonata from 'jsonata';
import { NodeError } from '@tagflow/node-sdk';
import type { ContextStore, Message } from '@tagflow/node-sdk';
import type { CoreErrorCode } from '../error-codes';
import { getPath, parsePath } from './message-path';

/** A JSONata expression compiled once at create, evaluated against messages. */
export interface MessageExpression {
  /** The expression as the user wrote it. */
  readonly source: string;
  /**
   * Evaluates against `msg` (so `payload` means `msg.payload`). Rejects with a NodeError. `env`
   * gives `$now()`/`$millis()` the node's clock and `$flowContext`, `$globalContext`, `$env` their
   * values; without it they read the wall clock and the context functions are not defined.
   */
  evaluate(msg: Message, env?: ExpressionEnv): Promise<unknown>;
}

/** What an expression may read besides the message: the node's clock, context and variables. */
export interface ExpressionEnv {
  clock: { now(): number };
  context: { flow: ContextStore; global: ContextStore };
  variable(name: string): string | undefined;
}

/** Who the expression belongs to, for error messages, and the codes to report with. */
export interface ExpressionOwner {
  /** Names the config place in words, e.g. `Rule 2`. */
  where: string;
  /** NodeError code for an expression that does not parse (thrown at create). */
  invalidCode: CoreErrorCode;
  /** NodeError code for an expression that fails on a message. */
  failedCode: CoreErrorCode;
}

// Guardrails so that an expression that recurses or loops forever fails instead of holding the node.
const OPTIONS = { timeout: 1000, stack: 500 } as const;

interface JsonataFailure {
  message?: string;
  code?: string;
  position?: number;
}

/** Compiles `source`; throws a NodeError (`owner.invalidCode`) naming the place and the JSONata error. */
export function compileExpression(source: string, owner: ExpressionOwner): MessageExpression {
  let expression: jsonata.Expression;
  try {
    // Loaded on first use: most flows have no expression, and start sooner without it.
    const compile = require('jsonata') as typeof jsonata;
    expression = compile(source, OPTIONS);
  } catch (err) {
    const failure = err as JsonataFailure;
    const at = typeof failure.position === 'number' ? ` (near character ${failure.position})` : '';
    throw new NodeError(
      owner.invalidCode,
      `${owner.where}: the JSONata expression ${JSON.stringify(source)} is invalid: ${failure.message ?? String(err)}${at}`,
      {
        expression: source,
        jsonataCode: failure.code,
      },
    );
  }
  return {
    source,
    async evaluate(msg, env) {
      try {
        return plain(await expression.evaluate(msg, env === undefined ? undefined : bindings(env)));
      } catch (err) {
        const failure = err as JsonataFailure;
        throw new NodeError(
          owner.failedCode,
          `${owner.where}: the JSONata expression ${JSON.stringify(source)} failed: ${failure.message ?? String(err)}`,
          {
            expression: source,
            jsonataCode: failure.code,
          },
        );
      }
    },
  };
}

// JSONata marks the arrays it builds with extra fields (`sequence`, ...); send plain arrays on.
function plain(value: unknown): unknown {
  return Array.isArray(value) && 'sequence' in value ? Array.from(value) : value;
}

let formatTime: jsonata.Expression | undefined;

/**
 * Functions that replace JSONata's own for one evaluation. `$now()` and `$millis()` give the
 * node's clock (fixed for the evaluation, as JSONata's are), so fake-time tests of flows that use
 * them do not drift; `$flowContext`, `$globalContext` and `$env` are Node-RED's names.
 */
function bindings(env: ExpressionEnv): Record<string, unknown> {
  const t = env.clock.now();
  return {
    millis: () => t,
    now: (picture?: string, timezone?: string) => {
      // `$fromMillis` formats exactly as `$now` would; it is reached through JSONata's public API.
      formatTime ??= (require('jsonata') as typeof jsonata)('$fromMillis($t, $picture, $timezone)');
      return formatTime.evaluate({}, { t, picture, timezone });
    },
    flowContext: (key: string) => readContext(env.context.flow, key),
    globalContext: (key: string) => readContext(env.context.global, key),
    env: (name: string) => env.variable(String(name)),
  };
}

/** A context value by key, or by `key.path` into it. */
function readContext(store: ContextStore, key: string): unknown {
  const [first, ...rest] = parsePath(String(key));
  return getPath(store.get(String(first)), rest);
}
