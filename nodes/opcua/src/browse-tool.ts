import { AttributeIds, makeBrowsePath, StatusCodes } from 'node-opcua';
import type { DataValue, NodeId } from 'node-opcua';
import { NodeError } from '@tagflow/node-sdk';
import type { ResourceToolContext } from '@tagflow/node-sdk';
import { browse, OBJECTS_FOLDER } from './browse';
import type { BrowsedNode } from './browse';
import { opcuaErrors } from './error-codes';
import { errorText } from './error-text';
import { parseNodeId } from './node-id';
import type { OpcuaConnection } from './opcua-connection';
import { qualityOf, statusName } from './status-quality';
import { fromVariant } from './variant-codec';

/** A child node as the editor's OPC UA browser shows it: the browse result plus what a person picks by. */
export interface BrowsedTag extends BrowsedNode {
  /** True for objects and folders: the picker can open them. */
  expandable: boolean;
  /** Variables: the value now, as opcua-read would send it (null when Bad). */
  value?: unknown;
  /** Variables: the status of that value (`Good`, `BadSensorFailure`...). */
  status?: string;
  /** Variables with an EngineeringUnits property: the unit's display name (`m³/h`, `°C`). */
  unit?: string;
}

/** What the `browse` tool answers: the children of `nodeId`. */
export interface BrowseAnswer {
  nodeId: string;
  children: BrowsedTag[];
}

/** Most children listed per folder: a server with 100k tags in one folder must not fill the page. */
export const MAX_CHILDREN = 1000;

/**
 * The `browse` tool of opcua-server: the children of `input.nodeId` (default the Objects folder)
 * with, for variables, the data type, the value now and the engineering unit, so that a person
 * picks a tag by sight. Reads only.
 */
export async function browseTool(
  connection: OpcuaConnection,
  input: unknown,
  ctx: ResourceToolContext,
): Promise<BrowseAnswer> {
  const raw = (input as { nodeId?: unknown } | null | undefined)?.nodeId;
  if (raw !== undefined && typeof raw !== 'string')
    throw new NodeError(opcuaErrors.code.OPCUA_NODE_ID, 'the node to browse must be given as text, e.g. ns=1;s=Plant');
  const nodeId = raw === undefined || raw === '' ? OBJECTS_FOLDER : raw;
  parseNodeId(nodeId, 'node to browse');
  let nodes: BrowsedNode[];
  try {
    nodes = (await browse(connection, nodeId)).slice(0, MAX_CHILDREN);
  } catch (err) {
    throw new NodeError(
      opcuaErrors.code.OPCUA_READ,
      `browsing ${nodeId} on ${connection.endpointUrl} failed: ${errorText(err)}`,
    );
  }
  ctx.signal.throwIfAborted();
  const children: BrowsedTag[] = nodes.map((n) => ({
    ...n,
    expandable: n.nodeClass === 'Object' || n.nodeClass === 'View',
  }));
  const variables = children.filter((c) => c.nodeClass === 'Variable');
  if (variables.length > 0) await addValuesAndUnits(connection, variables);
  return { nodeId, children };
}

/** Reads the value of each variable and the display name of its EngineeringUnits, in two requests. */
async function addValuesAndUnits(connection: OpcuaConnection, variables: BrowsedTag[]): Promise<void> {
  const session = connection.session;
  const ids = variables.map((v) => parseNodeId(v.nodeId));
  const [values, unitPaths] = await Promise.all([
    connection.read(ids),
    session.translateBrowsePath(ids.map((id) => makeBrowsePath(id, '.EngineeringUnits'))),
  ]);
  values.forEach((dataValue: DataValue, i) => {
    variables[i].status = statusName(dataValue.statusCode);
    variables[i].value = qualityOf(dataValue.statusCode) === 'bad' ? null : fromVariant(dataValue.value);
  });
  const unitNodes: Array<{ index: number; nodeId: NodeId }> = [];
  unitPaths.forEach((result, index) => {
    const target = result.statusCode.equals(StatusCodes.Good) ? result.targets?.[0]?.targetId : undefined;
    if (target) unitNodes.push({ index, nodeId: target });
  });
  if (unitNodes.length === 0) return;
  const units = await session.read(unitNodes.map((u) => ({ nodeId: u.nodeId, attributeId: AttributeIds.Value })));
  units.forEach((dataValue, i) => {
    const info = dataValue.statusCode.isGood()
      ? (dataValue.value.value as { displayName?: { text?: string | null } } | null)
      : null;
    const text = info?.displayName?.text;
    if (text) variables[unitNodes[i].index].unit = text;
  });
}
