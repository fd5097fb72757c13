import type { FlowResource } from '@tagflow/flow-model';
import type { AnyResourceDefinition, NodeStatus, ResourceInstance } from '@tagflow/node-sdk';
import type { EngineLogger } from './types';

/** One live shared connection of the flow, and the nodes that use it. */
export class ResourceRunner {
  instance: ResourceInstance | undefined;
  lastStatus: NodeStatus | undefined;
  private readonly abort = new AbortController();
  private closing: Promise<void> | undefined;

  constructor(
    readonly resource: FlowResource,
    readonly definition: AnyResourceDefinition,
    private readonly logger: EngineLogger,
    private readonly onStatus: (runner: ResourceRunner, status: NodeStatus) => void,
  ) {}

  async create(): Promise<void> {
    const tag = { resource: this.resource.id, type: this.resource.type };
    this.instance = await this.definition.create({
      id: this.resource.id,
      type: this.resource.type,
      config: Object.freeze({ ...(this.resource.config ?? {}) }),
      signal: this.abort.signal,
      log: {
        debug: (m, d) => this.logger.debug({ ...tag, ...d }, m),
        info: (m, d) => this.logger.info({ ...tag, ...d }, m),
        warn: (m, d) => this.logger.warn({ ...tag, ...d }, m),
        error: (m, d) => this.logger.error({ ...tag, ...d }, m),
      },
      status: (status) => {
        this.lastStatus = status;
        this.onStatus(this, status);
      },
      // Secrets never live in the flow file: a flow names them, the environment provides them.
      secret: (name) => process.env[name],
    });
  }

  close(timeoutMs: number): Promise<void> {
    this.closing ??= this.doClose(timeoutMs);
    return this.closing;
  }

  private async doClose(timeoutMs: number): Promise<void> {
    this.abort.abort();
    const close = this.instance?.close;
    if (!close) return;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    try {
      const outcome = await Promise.race([Promise.resolve(close.call(this.instance)), timedOut]);
      if (outcome === 'timeout') this.logger.warn({ resource: this.resource.id, timeoutMs }, 'resource did not close in time');
    } catch (err) {
      this.logger.error({ resource: this.resource.id, err }, 'resource failed while closing');
    } finally {
      clearTimeout(timer);
    }
  }
}
