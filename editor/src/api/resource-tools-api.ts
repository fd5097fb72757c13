import type { FlowResource } from '@tagflow/flow-model';
import type { AdminApi } from './client';

/**
 * POST /api/resources/tools/:tool (deployer): runs a resource type's tool (`browse` on
 * opcua-server, `test-read` on modbus-device) with the resource as the edited flow has it, deployed
 * or not. Resolves with the tool's answer; rejects with an ApiError in the runtime's plain words
 * ("cannot connect to 10.0.0.5:502: ECONNREFUSED", "no answer within 10 s").
 */
export async function runResourceTool(
  api: AdminApi,
  tool: string,
  resource: FlowResource,
  input: unknown,
  flowId?: string,
): Promise<unknown> {
  const body = {
    resourceType: resource.type,
    config: resource.config ?? {},
    resourceId: resource.id,
    input,
    ...(flowId ? { flowId } : {}),
  };
  const answer = await api.json<{ result?: unknown }>(
    await api.request('POST', `resources/tools/${encodeURIComponent(tool)}`, { body }),
  );
  return answer.result;
}
