import {
  applyModbusPick,
  folderLoaded,
  isPickable,
  orderApplies,
  pickerResource,
  sortedChildren,
  toggleFolder,
  valueText,
} from '../src/state/tag-pickers';
import type { BrowsedTag } from '../src/state/tag-pickers';

const variable = (name: string, extra: Partial<BrowsedTag> = {}): BrowsedTag => ({
  nodeId: `ns=1;s=${name}`,
  browseName: `1:${name}`,
  displayName: name,
  nodeClass: 'Variable',
  expandable: false,
  ...extra,
});

describe('pickerResource', () => {
  const resources = [
    { id: 'plc', type: 'opcua-server', config: { endpointUrl: 'opc.tcp://10.0.0.5:4840' } },
    { id: 'rtu', type: 'modbus-device', config: { host: '10.0.0.6' } },
  ];
  it("finds the resource the node's field names", () => {
    expect(pickerResource(resources, { server: 'plc' }, 'server', 'opcua-server')).toEqual({ resource: resources[0] });
  });
  it('says what to do when none is chosen, or the one named is missing or of another type', () => {
    expect(pickerResource(resources, {}, 'server', 'opcua-server')).toEqual({
      missing: 'Choose the OPC UA server first (field above).',
    });
    expect(pickerResource(resources, { device: 'plc' }, 'device', 'modbus-device')).toEqual({
      missing: 'The Modbus device “plc” is not in this flow: choose or create one above.',
    });
  });
});

describe('valueText', () => {
  it('shows numbers to 7 significant digits, and none as a dash', () => {
    expect(valueText(22.5)).toBe('22.5');
    expect(valueText(3.1415927410125732)).toBe('3.141593');
    expect(valueText(-1.2345678e-20)).toBe('-1.234568e-20');
    expect(valueText(3000000000)).toBe('3000000000');
    expect(valueText(-1.6550446236579763e35)).toBe('-1.655045e+35');
    expect(valueText(null)).toBe('—');
    expect(valueText('NaN')).toBe('NaN');
    expect(valueText(true)).toBe('true');
    expect(valueText({ a: 'x'.repeat(80) })).toMatch(/\.\.\.$/);
  });
});

describe('the browse tree', () => {
  it('loads a folder once, and opens and closes it without asking again', () => {
    const first = toggleFolder({}, 'ns=1;s=Plant');
    expect(first.needsLoad).toBe(true);
    expect(first.tree['ns=1;s=Plant']).toEqual({ open: true, loading: true });
    const loaded = folderLoaded(first.tree, 'ns=1;s=Plant', [variable('Flow')]);
    const closed = toggleFolder(loaded, 'ns=1;s=Plant');
    expect(closed).toMatchObject({ needsLoad: false, tree: { 'ns=1;s=Plant': { open: false } } });
    const reopened = toggleFolder(closed.tree, 'ns=1;s=Plant');
    expect(reopened.needsLoad).toBe(false);
    expect(reopened.tree['ns=1;s=Plant'].children).toHaveLength(1);
  });
  it('keeps a failure to show, and asks again when the folder is opened next', () => {
    const failed = folderLoaded({}, 'i=85', undefined, 'cannot connect to opc.tcp://10.0.0.5:4840: refused');
    expect(failed['i=85']).toEqual({
      open: true,
      loading: false,
      error: 'cannot connect to opc.tcp://10.0.0.5:4840: refused',
    });
    const closed = toggleFolder(failed, 'i=85').tree;
    expect(toggleFolder(closed, 'i=85').needsLoad).toBe(true);
  });
  it('lists folders first, then by name; only variables can be picked', () => {
    const folder = { ...variable('Zone'), nodeClass: 'Object', expandable: true };
    const method = { ...variable('Reset'), nodeClass: 'Method' };
    expect(sortedChildren([variable('b'), folder, variable('A')]).map((c) => c.displayName)).toEqual([
      'Zone',
      'A',
      'b',
    ]);
    expect([variable('A'), folder, method].map(isPickable)).toEqual([true, false, false]);
  });
});

describe('Modbus picks', () => {
  it('offers no word order for 16-bit values', () => {
    expect(orderApplies('int16', 'ABCD')).toBe(true);
    expect(orderApplies('int16', 'BADC')).toBe(true);
    expect(orderApplies('uint16', 'CDAB')).toBe(false);
    expect(orderApplies('int16', 'DCBA')).toBe(false);
    expect(orderApplies('float32', 'CDAB')).toBe(true);
  });
  it("sets the tag's table, address, type and order, keeping its name, scale and unit", () => {
    const tag = {
      name: 'flow',
      function: 'input-register',
      address: 0,
      type: 'string',
      length: 4,
      scale: 0.1,
      unit: 'm3/h',
    };
    expect(applyModbusPick(tag, { function: 'holding-register', address: 10, type: 'float32', order: 'CDAB' })).toEqual(
      {
        name: 'flow',
        function: 'holding-register',
        address: 10,
        type: 'float32',
        order: 'CDAB',
        scale: 0.1,
        unit: 'm3/h',
      },
    );
    expect(applyModbusPick({ order: 'CDAB' }, { function: 'coil', address: 3, type: 'bool' })).toEqual({
      function: 'coil',
      address: 3,
      type: 'bool',
    });
  });
});
