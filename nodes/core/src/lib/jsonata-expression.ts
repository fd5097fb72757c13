import type jsonata from 'jsonata';
import { NodeError } from '@tagflow/node-sdk';
import type { Message } from '@tagflow/node-sdk';
import type { CoreErrorCode } from '../error-codes';

/** A JSONata expression compiled once at create, evaluated against messages. */
export interface MessageExpression {
  /** The expression as the user wrote it. */
  readonly source: string;
  /** Evaluates against `msg` (so `payload` means `msg.payload`). Rejects with a NodeError. */
  evaluate(msg: Message): Promise<unknown>;
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
    async evaluate(msg) {
      try {
        return plain(await expression.evaluate(msg));
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
