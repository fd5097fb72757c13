import { useState } from 'react';
import type { FlowResource } from '@tagflow/flow-model';
import type { FormContext } from './form-context';
import { SchemaForm } from './SchemaForm';
import { obj, setIn } from './schema-utils';

/** Picks a resource of one type from the flow, or creates one with a small form from its schema. */
export function ResourcePicker({
  id,
  resourceType,
  value,
  onChange,
  ctx,
}: {
  id: string;
  resourceType: string;
  value: string;
  onChange(v: string): void;
  ctx: FormContext;
}) {
  const [creating, setCreating] = useState(false);
  const candidates = ctx.resources.filter((r) => r.type === resourceType);
  const missing = value !== '' && !candidates.some((r) => r.id === value);
  return (
    <div className="resource-picker">
      <div className="row">
        <select id={`f-${id}`} data-testid={`field-${id}`} value={value} onChange={(e) => onChange(e.target.value)}>
          <option value="">
            {candidates.length === 0 ? `— no ${resourceType} yet: create one —` : `— choose a ${resourceType} —`}
          </option>
          {candidates.map((r) => (
            <option key={r.id} value={r.id}>
              {r.name ? `${r.name} (${r.id})` : r.id}
            </option>
          ))}
          {missing && <option value={value}>{value} (not in this flow)</option>}
        </select>
        <button
          type="button"
          className="small"
          data-testid={`resource-new-${id}`}
          onClick={() => setCreating(!creating)}
        >
          {creating ? 'Cancel' : 'New…'}
        </button>
      </div>
      {creating && (
        <NewResourceForm
          resourceType={resourceType}
          ctx={ctx}
          onCreated={(r) => {
            ctx.upsertResource(r);
            onChange(r.id);
            setCreating(false);
          }}
        />
      )}
    </div>
  );
}

function NewResourceForm({
  resourceType,
  ctx,
  onCreated,
}: {
  resourceType: string;
  ctx: FormContext;
  onCreated(r: FlowResource): void;
}) {
  const info = ctx.resourceTypes.get(resourceType);
  const taken = new Set(ctx.resources.map((r) => r.id));
  let n = 1;
  while (taken.has(`${resourceType}-${n}`)) n += 1;
  const [rid, setRid] = useState(`${resourceType}-${n}`);
  const [name, setName] = useState('');
  const [config, setConfig] = useState<Record<string, unknown>>({});
  if (!info) return <p className="field-error">The resource type {resourceType} is not installed on this runtime.</p>;
  const idError = !/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(rid)
    ? 'Use letters, digits, - _ . only.'
    : taken.has(rid)
      ? 'This id is taken.'
      : null;
  return (
    <div className="new-resource" data-testid="resource-form">
      <h4>New {resourceType}</h4>
      {info.description && <p className="hint">{info.description}</p>}
      <div className="field">
        <label htmlFor="new-resource-id">Id</label>
        <input id="new-resource-id" data-testid="resource-id" value={rid} onChange={(e) => setRid(e.target.value)} />
        {idError && <p className="field-error">{idError}</p>}
      </div>
      <div className="field">
        <label htmlFor="new-resource-name">Name</label>
        <input
          id="new-resource-name"
          value={name}
          placeholder="optional, e.g. Line 2 history"
          onChange={(e) => setName(e.target.value)}
        />
      </div>
      <SchemaForm
        schema={obj(info.configSchema)}
        value={config}
        ctx={{ ...ctx, errors: {} }}
        onChange={(path, v) => setConfig(setIn(config, path, v) as Record<string, unknown>)}
      />
      <button
        type="button"
        className="primary"
        data-testid="resource-create"
        disabled={idError !== null}
        onClick={() => onCreated({ id: rid, type: resourceType, ...(name ? { name } : {}), config })}
      >
        Add to the flow
      </button>
    </div>
  );
}
