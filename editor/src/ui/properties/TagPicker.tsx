import { applyModbusPick } from '../../state/tag-pickers';
import type { FormContext } from './form-context';
import { ModbusTestRead } from './ModbusTestRead';
import { OpcuaBrowser } from './OpcuaBrowser';
import { dotted, getIn, obj } from './schema-utils';

type Path = (string | number)[];

/** The widgets that get a tag picker beside their field (`x-ui.widget` of a node config schema). */
export const TAG_PICKER_WIDGETS: readonly string[] = ['opcua-node', 'modbus-register'];

/**
 * The picker of a field whose `x-ui.widget` is `opcua-node` (a node id: browse the server) or
 * `modbus-register` (an address: test-read the device). `resourceField` (x-ui) names the node's
 * config field holding the resource id; default `server` and `device`, as the bundled nodes name it.
 */
export function TagPicker({
  widget,
  resourceField,
  path,
  onChange,
  ctx,
}: {
  widget: string;
  resourceField?: string;
  path: Path;
  onChange(path: Path, value: unknown): void;
  ctx: FormContext;
}) {
  const id = dotted(path);
  if (widget === 'opcua-node')
    return (
      <OpcuaBrowser
        id={id}
        resourceField={resourceField ?? 'server'}
        ctx={ctx}
        onPick={(nodeId) => onChange(path, nodeId)}
      />
    );
  if (widget === 'modbus-register') {
    // A pick sets the address's siblings too (table, type, order): the whole tag is written at once.
    const parent = path.slice(0, -1);
    const tag = obj(getIn(ctx.config, parent)) as Record<string, unknown>;
    return (
      <ModbusTestRead
        id={id}
        resourceField={resourceField ?? 'device'}
        tag={tag}
        ctx={ctx}
        onPick={(pick) => onChange(parent, applyModbusPick(tag, pick))}
      />
    );
  }
  return null;
}
