import { ID_PATTERN } from '@tagflow/flow-model';
import { exportFileName, MAX_SLUG_LENGTH, slugify, uniqueFlowId } from '../src/state';

describe('slugify', () => {
  it.each([
    ['Line 2', 'line-2'],
    ['  Pump monitor  ', 'pump-monitor'],
    ['Line 2 – Füllstand', 'line-2-fullstand'],
    ['Crème brûlée / Öfen', 'creme-brulee-ofen'],
    ['alarm__HIGH..rate', 'alarm-high-rate'],
    ['---', ''],
    ['中文', ''],
  ])('%j -> %j', (name, slug) => {
    expect(slugify(name)).toBe(slug);
  });

  it('always matches the flow id pattern and stays short', () => {
    const pattern = new RegExp(ID_PATTERN);
    for (const name of ['A', 'Z-9', '9 lives', `${'x'.repeat(80)} y`, 'a'.repeat(MAX_SLUG_LENGTH - 1) + ' b']) {
      const slug = slugify(name);
      expect(slug).toMatch(pattern);
      expect(slug.length).toBeLessThanOrEqual(MAX_SLUG_LENGTH);
      expect(slug.endsWith('-')).toBe(false);
    }
  });
});

describe('uniqueFlowId', () => {
  it('takes the slug when free, else the first free numbered one', () => {
    expect(uniqueFlowId('Line 2', [])).toBe('line-2');
    expect(uniqueFlowId('Line 2', ['line-2'])).toBe('line-2-2');
    expect(uniqueFlowId('Line 2', new Set(['line-2', 'line-2-2', 'line-2-4']))).toBe('line-2-3');
  });

  it('names a flow without letters or digits "flow"', () => {
    expect(uniqueFlowId('***', [])).toBe('flow');
    expect(uniqueFlowId('', ['flow'])).toBe('flow-2');
  });
});

describe('exportFileName', () => {
  it('follows the name, not the id', () => {
    expect(exportFileName({ id: 'pump-monitor', name: 'Pump station North' })).toBe('pump-station-north.json');
  });

  it('falls back to the id when there is no usable name', () => {
    expect(exportFileName({ id: 'pump-monitor' })).toBe('pump-monitor.json');
    expect(exportFileName({ id: 'pump-monitor', name: '!!' })).toBe('pump-monitor.json');
  });
});
