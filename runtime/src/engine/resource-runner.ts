import type { FlowResource } from '@tagflow/flow-model';
import type { AnyResourceDefinition, NodeStatus, ResourceInstance } from '@tagflow/node-sdk';
import type { EngineLogger } from './types';
import { closeWithin, taggedLogger } from './close-within';

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
    this.instance = await this.definition.create({
      id: this.resource.id,
      type: this.resource.type,
      config: Object.freeze({ ...(this.resource.config ?? {}) }),
      signal: this.abort.signal,
      log: taggedLogger(this.logger, { resource: this.resource.id, type: this.resource.type }),
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
    const instance = this.instance;
    if (!instance?.close) return;
    await closeWithin(() => instance.close?.(), timeoutMs, this.logger, { resource: this.resource.id, type: this.resource.type });
  }
}
