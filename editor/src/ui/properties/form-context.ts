import type { FlowResource } from '@tagflow/flow-model';
import type { ResourceTypeInfo } from '@tagflow/flow-model';
import type { AdminApi } from '../../api/client';

/** What a generated form needs besides its schema and value. */
export interface FormContext {
  /** Validation messages by dotted config path (`window.count`). */
  errors: Record<string, string[]>;
  /** The flow's resources, for resource pickers. */
  resources: readonly FlowResource[];
  /** Installed resource types (their config schemas draw the "new resource" form). */
  resourceTypes: ReadonlyMap<string, ResourceTypeInfo>;
  /** Adds or replaces a resource in the flow. */
  upsertResource(resource: FlowResource): void;
  api: AdminApi;
  /** The runtime's variables (`${NAME}` in fields shows its value); undefined until they are known. */
  variables?: Readonly<Record<string, string>>;
  /** The node the form edits (for Monaco model paths). */
  nodeId?: string;
  /** The node's whole config, for pickers that read or set a field's siblings (the tag pickers). */
  config?: Readonly<Record<string, unknown>>;
  /** The edited flow's id (tag pickers send it with their calls). */
  flowId?: string;
  /** The flow's nodes, for node pickers (a link-out's link-in nodes). */
  nodes: ReadonlyArray<{ id: string; type: string; label?: string }>;
}
