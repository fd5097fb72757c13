import type { FlowResource } from '@tagflow/flow-model';
import type { AnyResourceDefinition, ResourceInstance, ResourceTool } from '@tagflow/node-sdk';
import { toolErrors } from '../error-codes';
import type { ToolErrorCode } from '../error-codes';
import { closeWithin, taggedLogger } from './close-within';
import type { ResourceHost } from './resource-runner';
import type { NodeRegistry } from '../registry/node-registry';

/** A tool call as the admin API hands it to the engine: the resource (config resolved and checked), the tool, its input. */
export interface ResourceToolCall {
  resource: FlowResource;
  tool: string;
  input: unknown;
  /** Time limit of the whole call, connecting included (default `DEFAULT_TOOL_TIMEOUT_MS`). */
  timeoutMs?: number;
}

/** The installed definition of `type`, else a TOOL_UNKNOWN error. */
export function toolDefinition(registry: NodeRegistry, type: string): AnyResourceDefinition {
  const definition = registry.resource(type)?.definition;
  if (!definition) throw new ToolError(toolErrors.code.TOOL_UNKNOWN, `no resource type ${type} is installed`);
  return definition;
}

/** How long a tool call may take, connecting included, unless the caller says otherwise. */
export const DEFAULT_TOOL_TIMEOUT_MS = 10_000;

/** A tool call that failed, in plain words, with a code of `toolErrors` (it crosses the engine RPC). */
export class ToolError extends Error {
  constructor(
    readonly code: ToolErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ToolError';
  }
}

/** What a tool call needs besides the resource: where connections get their context, and the deadline. */
export interface ToolCallOptions {
  host: Omit<ResourceHost, 'status'>;
  /** The running flow's connection for the same resource config, if one is live: reused, never closed. */
  live?: ResourceInstance;
  timeoutMs?: number;
}

/**
 * Runs tool `name` of `definition` on a connection of `resource` and resolves with its answer:
 * on the live connection when one is given, else on one opened for the call and closed after it
 * (even when the call timed out first). The whole call, connecting included, is time-boxed; the
 * tool's signal is aborted at the deadline. Throws a `ToolError` in plain words.
 */
export async function runResourceTool(
  resource: FlowResource,
  definition: AnyResourceDefinition,
  name: string,
  input: unknown,
  options: ToolCallOptions,
): Promise<unknown> {
  const tool = Object.hasOwn(definition.tools ?? {}, name)
    ? (definition.tools?.[name] as ResourceTool<unknown> | undefined)
    : undefined;
  if (!tool) {
    const names = Object.keys(definition.tools ?? {});
    throw new ToolError(
      toolErrors.code.TOOL_UNKNOWN,
      `resource type ${resource.type} has no tool "${name}"${names.length > 0 ? ` (it has: ${names.join(', ')})` : ''}`,
    );
  }
  const timeoutMs = options.timeoutMs ?? DEFAULT_TOOL_TIMEOUT_MS;
  const deadline = Date.now() + timeoutMs;
  const abort = new AbortController();
  const log = taggedLogger(options.host.logger, { resource: resource.id, type: resource.type, tool: name });
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      abort.abort(new Error('deadline'));
      reject(new ToolError(toolErrors.code.TOOL_TIMEOUT, `no answer within ${seconds(timeoutMs)}`));
    }, timeoutMs);
  });
  // A rejection nobody awaits yet (the race below may not have started) is not an unhandled one.
  timedOut.catch(() => undefined);

  let opened: Promise<ResourceInstance> | undefined;
  try {
    let connection = options.live;
    if (!connection) {
      opened = open(resource, definition, options.host, abort.signal);
      connection = await Promise.race([opened, timedOut]).catch((err: unknown) => {
        if (err instanceof ToolError)
          throw new ToolError(
            err.code,
            `no connection within ${seconds(timeoutMs)}: the device or server did not answer`,
          );
        // A resource's own words already name the peer: "cannot connect to 10.0.0.5:502: ECONNREFUSED".
        throw new ToolError(toolErrors.code.TOOL_CONNECT, messageOf(err));
      });
    }
    const used = connection;
    return await Promise.race([
      Promise.resolve().then(() => tool(used, input, { signal: abort.signal, deadline, log })),
      timedOut,
    ]).catch((err: unknown) => {
      if (err instanceof ToolError) throw err;
      throw new ToolError(toolErrors.code.TOOL_FAILED, messageOf(err));
    });
  } finally {
    clearTimeout(timer);
    abort.abort(new Error('done'));
    // Closed after the answer, or whenever a connection that came too late arrives.
    if (opened)
      void opened.then(
        (connection) =>
          connection.close &&
          closeWithin(() => connection.close?.(), options.host.closeTimeoutMs, options.host.logger, {
            resource: resource.id,
            type: resource.type,
            tool: name,
          }),
        (err: unknown) => log.debug('the connection for a tool call was not opened', { error: messageOf(err) }),
      );
  }
}

/** Opens one connection as the runtime would for a flow, without retries: a tool call tries once. */
async function open(
  resource: FlowResource,
  definition: AnyResourceDefinition,
  host: Omit<ResourceHost, 'status'>,
  signal: AbortSignal,
): Promise<ResourceInstance> {
  const log = taggedLogger(host.logger, { resource: resource.id, type: resource.type });
  return definition.create({
    id: resource.id,
    type: resource.type,
    config: Object.freeze({ ...(resource.config ?? {}) }),
    signal,
    log,
    // Nobody sees a status of a connection that lives for one call.
    status: () => undefined,
    secret: (secretName) => host.secret(secretName),
    // A loss during the call makes the tool's own request fail, which is what the caller sees.
    lost: (reason) => log.debug('the connection of a tool call was lost', { reason: messageOf(reason) }),
    dataDir: host.dataDir,
    files: host.files.forResource(resource.id),
  });
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}
