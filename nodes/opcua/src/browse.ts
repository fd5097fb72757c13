import { AttributeIds, BrowseDirection, DataType, NodeClass, StatusCodes } from 'node-opcua';
import type { BrowseResult, ClientSession, NodeId, ReferenceDescription } from 'node-opcua';
import { parseNodeId } from './node-id';
import { OpcuaConnection } from './opcua-connection';
import { describeStatus } from './status-quality';
import { qualifiedNameText } from './variant-codec';

/** A child node, as the editor's node picker lists it. */
export interface BrowsedNode {
  /** E.g. `ns=1;s=Pump.Flow`: what opcua-subscribe, -read and -write take. */
  nodeId: string;
  /** `name` in namespace 0, else `ns:name`, e.g. `1:Flow`. */
  browseName: string;
  displayName: string;
  nodeClass:
    | 'Object'
    | 'Variable'
    | 'Method'
    | 'ObjectType'
    | 'VariableType'
    | 'ReferenceType'
    | 'DataType'
    | 'View'
    | 'Unspecified';
  /** For variables: the data type's name (`Double`, `Int32`, or a subtype such as `Duration`). */
  dataType?: string;
}

/** The Objects folder, where a server's own nodes usually start. */
export const OBJECTS_FOLDER = 'i=85';

/**
 * Lists the children of a node (hierarchical references, forward), following continuation points,
 * with the data type of each variable. Takes a connection of the opcua-server resource or a
 * node-opcua session.
 */
export async function browse(
  target: OpcuaConnection | ClientSession,
  nodeId: string = OBJECTS_FOLDER,
): Promise<BrowsedNode[]> {
  const session = target instanceof OpcuaConnection ? target.session : target;
  const parent = parseNodeId(nodeId);
  let result: BrowseResult = await session.browse({
    nodeId: parent,
    browseDirection: BrowseDirection.Forward,
    referenceTypeId: 'HierarchicalReferences',
    includeSubtypes: true,
    nodeClassMask: 0,
    resultMask: 0x3f,
  });
  if (!result.statusCode.isGood()) throw new Error(`cannot browse ${nodeId}: ${describeStatus(result.statusCode)}`);
  const references: ReferenceDescription[] = [...(result.references ?? [])];
  while (result.continuationPoint && result.continuationPoint.length > 0) {
    result = await session.browseNext(result.continuationPoint, false);
    if (!result.statusCode.isGood())
      throw new Error(`cannot browse ${nodeId} further: ${describeStatus(result.statusCode)}`);
    references.push(...(result.references ?? []));
  }
  const nodes: BrowsedNode[] = references.map((ref) => ({
    nodeId: ref.nodeId.toString(),
    browseName: qualifiedNameText(ref.browseName),
    displayName: ref.displayName.text ?? '',
    nodeClass: (NodeClass[ref.nodeClass] ?? 'Unspecified') as BrowsedNode['nodeClass'],
  }));
  await addDataTypes(session, references, nodes);
  return nodes;
}

/** Reads the DataType attribute of the variables, then the names of the types that are not built in. */
async function addDataTypes(
  session: ClientSession,
  references: ReferenceDescription[],
  nodes: BrowsedNode[],
): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-unsafe-enum-comparison -- node-opcua declares NodeClass twice (node-opcua-types, node-opcua-data-model), same values
  const variables = references.flatMap((ref, i) => (ref.nodeClass === NodeClass.Variable ? [i] : []));
  if (variables.length === 0) return;
  const typeValues = await session.read(
    variables.map((i) => ({ nodeId: references[i].nodeId, attributeId: AttributeIds.DataType })),
  );
  const typeIds = typeValues.map((v) =>
    v.statusCode.equals(StatusCodes.Good) ? (v.value.value as NodeId) : undefined,
  );
  const builtIn = (id: NodeId | undefined) =>
    id && id.namespace === 0 && typeof id.value === 'number' && id.value <= 25 ? DataType[id.value] : undefined;
  const others = [
    ...new Set(
      typeIds.filter((id): id is NodeId => id !== undefined && builtIn(id) === undefined).map((id) => id.toString()),
    ),
  ];
  const names = new Map<string, string>();
  if (others.length > 0) {
    const nameValues = await session.read(others.map((id) => ({ nodeId: id, attributeId: AttributeIds.BrowseName })));
    others.forEach((id, i) =>
      names.set(id, nameValues[i].statusCode.isGood() ? (nameValues[i].value.value as { name: string }).name : id),
    );
  }
  variables.forEach((refIndex, i) => {
    const id = typeIds[i];
    if (id) nodes[refIndex].dataType = builtIn(id) ?? names.get(id.toString());
  });
}
