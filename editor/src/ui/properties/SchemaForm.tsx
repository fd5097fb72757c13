import { useState } from 'react';
import type { ReactNode } from 'react';
import type { FlowResource } from '@tagflow/flow-model';
import { LazyMonaco } from '../monaco/LazyMonaco';
import { NodePicker } from './NodePicker';
import { ResourcePicker } from './ResourcePicker';
import { SecretButton } from './SecretButton';
import { TAG_PICKER_WIDGETS, TagPicker } from './TagPicker';
import { fieldVariables } from '../../state/variables';
import type { FormContext } from './form-context';
import {
  defaultText,
  discriminatorOf,
  dotted,
  isObjectUnion,
  isScalarUnion,
  labelOf,
  matchVariant,
  obj,
  properties,
  required,
  seedValue,
  setIn,
  types,
  ui,
  variantSeed,
  variantTitle,
  variants,
} from './schema-utils';
import type { SchemaObject } from './schema-utils';

type Path = (string | number)[];

interface FieldProps {
  schema: SchemaObject;
  path: Path;
  /** The key (or row number) shown as the label when the schema has none. */
  name: string;
  value: unknown;
  isRequired: boolean;
  onChange(path: Path, value: unknown): void;
  ctx: FormContext;
}

/** What an input for one scalar value gets: its element id, its schema, its value and a setter. */
interface InputProps {
  id: string;
  schema: SchemaObject;
  value: unknown;
  onChange(v: unknown): void;
}

/** A form for an object schema's properties (a node's or a resource's config). */
export function SchemaForm({
  schema,
  value,
  onChange,
  ctx,
  path = [],
}: {
  schema: SchemaObject;
  value: unknown;
  onChange(path: Path, value: unknown): void;
  ctx: FormContext;
  path?: Path;
}) {
  const props = properties(schema);
  const req = required(schema);
  const record = (value && typeof value === 'object' ? value : {}) as Record<string, unknown>;
  const entries = Object.entries(props);
  const basic = entries.filter(([, s]) => !ui(s).advanced);
  const advanced = entries.filter(([, s]) => ui(s).advanced);
  const render = ([key, s]: [string, SchemaObject]) => (
    <Field
      key={key}
      schema={s}
      path={[...path, key]}
      name={key}
      value={record[key]}
      isRequired={req.includes(key)}
      onChange={onChange}
      ctx={ctx}
    />
  );
  if (entries.length === 0 && path.length === 0) return <p className="hint">This node has no settings.</p>;
  return (
    <div className="schema-form">
      {basic.map(render)}
      {advanced.length > 0 && (
        <details className="advanced">
          <summary>Advanced settings</summary>
          {advanced.map(render)}
        </details>
      )}
    </div>
  );
}

/** One field, chosen by its schema and `x-ui` hints. */
function Field(props: FieldProps) {
  const { schema, path, value, onChange, ctx } = props;
  const hints = ui(schema);
  const id = dotted(path);
  if (schema.const !== undefined) return null;

  let control: ReactNode;
  let wide = false;
  if (hints.widget === 'code') {
    wide = true;
    control = (
      <div data-testid="code-editor" className="code-editor">
        <LazyMonaco
          value={typeof value === 'string' ? value : String(schema.default ?? '')}
          language="javascript"
          height={260}
          path={`file:///tagflow/${ctx.nodeId ?? 'node'}/${id}.js`}
          onChange={(v) => onChange(path, v)}
          ariaLabel={labelOf(schema, props.name)}
        />
      </div>
    );
  } else if (hints.widget === 'node-picker') {
    const multiple = types(schema).includes('array');
    wide = multiple;
    control = (
      <NodePicker
        id={id}
        nodeType={hints.nodeType}
        multiple={multiple}
        value={value}
        onChange={(v) => onChange(path, v)}
        ctx={ctx}
      />
    );
  } else if (hints.widget === 'resource') {
    control = (
      <ResourcePicker
        id={id}
        resourceType={hints.resourceType ?? ''}
        value={typeof value === 'string' ? value : ''}
        onChange={(v) => onChange(path, v || undefined)}
        ctx={ctx}
      />
    );
  } else if (
    hints.widget === 'key-value' ||
    (types(schema).includes('object') && !schema.properties && obj(schema.additionalProperties).type === 'string')
  ) {
    wide = true;
    control = <KeyValueField id={id} value={value} onChange={(v) => onChange(path, v)} />;
  } else if (Array.isArray(schema.enum)) {
    control = (
      <EnumField
        id={id}
        schema={schema}
        value={value}
        isRequired={props.isRequired}
        onChange={(v) => onChange(path, v)}
      />
    );
  } else if (isObjectUnion(schema)) {
    return <UnionField {...props} />;
  } else if (types(schema).includes('object') || schema.properties) {
    if (!schema.properties) {
      wide = true;
      control = <JsonField id={id} value={value} onChange={(v) => onChange(path, v)} />;
    } else {
      return (
        <fieldset className="field-group" data-testid={`field-${id}`}>
          <legend>{labelOf(schema, props.name)}</legend>
          {typeof schema.description === 'string' && <p className="hint">{schema.description}</p>}
          <SchemaForm schema={schema} value={value} onChange={onChange} ctx={ctx} path={path} />
          <FieldError id={id} ctx={ctx} />
        </fieldset>
      );
    }
  } else if (types(schema).includes('array')) {
    return <ArrayField {...props} />;
  } else if (types(schema).includes('boolean') && types(schema).length === 1) {
    return (
      <div className="field field-check">
        <label>
          <input
            type="checkbox"
            data-testid={`field-${id}`}
            checked={typeof value === 'boolean' ? value : schema.default === true}
            onChange={(e) => onChange(path, e.target.checked)}
          />
          {labelOf(schema, props.name)}
        </label>
        {typeof schema.description === 'string' && <p className="hint">{schema.description}</p>}
        <FieldError id={id} ctx={ctx} />
      </div>
    );
  } else if (types(schema).some((t) => t === 'number' || t === 'integer')) {
    control = <NumberField id={id} schema={schema} value={value} onChange={(v) => onChange(path, v)} />;
  } else if (types(schema).includes('string')) {
    control = (
      <>
        <TextField id={id} schema={schema} value={value} onChange={(v) => onChange(path, v)} />
        {/* Fields marked x-secret (passwordEnvProperty); the name rule for packages built before the mark. */}
        {(schema['x-secret'] === true || /^(password|token)Env$/.test(props.name)) && (
          <SecretButton secretName={typeof value === 'string' ? value : ''} ctx={ctx} />
        )}
      </>
    );
  } else if (isScalarUnion(schema)) {
    control = <ScalarField id={id} schema={schema} value={value} onChange={(v) => onChange(path, v)} />;
  } else {
    // No type at all (any JSON value) or `x-ui.widget: 'json'`.
    wide = true;
    control = <JsonField id={id} value={value} onChange={(v) => onChange(path, v)} />;
  }
  if (hints.widget && TAG_PICKER_WIDGETS.includes(hints.widget))
    control = (
      <>
        {control}
        <TagPicker
          widget={hints.widget}
          resourceField={hints.resourceField}
          path={path}
          onChange={onChange}
          ctx={ctx}
        />
      </>
    );
  return (
    <FieldShell
      id={id}
      schema={schema}
      name={props.name}
      isRequired={props.isRequired}
      wide={wide}
      ctx={ctx}
      value={value}
    >
      {control}
    </FieldShell>
  );
}

function FieldShell({
  id,
  schema,
  name,
  isRequired,
  wide,
  ctx,
  value,
  children,
}: {
  id: string;
  schema: SchemaObject;
  name: string;
  isRequired: boolean;
  wide: boolean;
  ctx: FormContext;
  value?: unknown;
  children: ReactNode;
}) {
  const hints = ui(schema);
  return (
    <div className={`field${wide ? ' field-wide' : ''}${ctx.errors[id] ? ' has-error' : ''}`}>
      <label htmlFor={`f-${id}`}>
        {labelOf(schema, name)}
        {isRequired && (
          <span className="required" title="required">
            {' '}
            *
          </span>
        )}
        {hints.unit && <span className="unit"> ({hints.unit})</span>}
      </label>
      {children}
      <VariableValues id={id} value={value} ctx={ctx} />
      {typeof schema.description === 'string' && <p className="hint">{schema.description}</p>}
      <FieldError id={id} ctx={ctx} />
    </div>
  );
}

/** Beside a field holding `${NAME}`: the value it gets on this runtime, or that it has none. */
function VariableValues({ id, value, ctx }: { id: string; value: unknown; ctx: FormContext }) {
  if (!ctx.variables) return null;
  const used = fieldVariables(value, ctx.variables);
  if (used.length === 0) return null;
  return (
    <ul className="variable-values" data-testid={`variables-${id}`}>
      {used.map((v) => (
        <li key={v.name} className={v.value === undefined ? 'unset' : undefined}>
          <code>{`\${${v.name}}`}</code>
          {v.value === undefined ? (
            <> not set on this runtime (tagflow var set {v.name} VALUE)</>
          ) : (
            <>
              {' '}
              = <code>{JSON.stringify(v.value)}</code> on this runtime
            </>
          )}
        </li>
      ))}
    </ul>
  );
}

function FieldError({ id, ctx }: { id: string; ctx: FormContext }) {
  const messages = ctx.errors[id];
  if (!messages || messages.length === 0) return null;
  return (
    <p className="field-error" data-testid={`field-error-${id}`} role="alert">
      {messages.join('; ')}
    </p>
  );
}

/** A text input that keeps what the user types while it is being typed (the value only changes on valid input). */
function useDraft(value: unknown, format: (v: unknown) => string): [string, (s: string) => void] {
  const [draft, setDraft] = useState(format(value));
  const [last, setLast] = useState(value);
  if (last !== value) {
    // The value changed from outside (undo, another node, JSON view): show it.
    setLast(value);
    setDraft(format(value));
  }
  return [draft, setDraft];
}

function TextField({ id, schema, value, onChange }: InputProps) {
  const hints = ui(schema);
  return (
    <input
      id={`f-${id}`}
      data-testid={`field-${id}`}
      type="text"
      value={typeof value === 'string' ? value : value === undefined ? '' : String(value)}
      placeholder={hints.placeholder ?? defaultText(schema) ?? ''}
      onChange={(e) => onChange(e.target.value === '' && schema.default !== undefined ? undefined : e.target.value)}
      spellCheck={false}
    />
  );
}

function NumberField({ id, schema, value, onChange }: InputProps) {
  const [draft, setDraft] = useDraft(value, (v) =>
    typeof v === 'number' ? String(v) : v === undefined ? '' : String(v),
  );
  const integer = types(schema).includes('integer') && !types(schema).includes('number');
  return (
    <input
      id={`f-${id}`}
      data-testid={`field-${id}`}
      type="text"
      inputMode={integer ? 'numeric' : 'decimal'}
      value={draft}
      placeholder={defaultText(schema) ?? ''}
      onChange={(e) => {
        const text = e.target.value;
        setDraft(text);
        const trimmed = text.trim();
        if (trimmed === '') return onChange(undefined);
        const n = Number(trimmed.replace(',', '.'));
        // Text that is not a number yet is kept as text, so the validator says what is wrong.
        onChange(Number.isFinite(n) && /^[-+]?(\d+[.,]?\d*|[.,]\d+)(e[-+]?\d+)?$/i.test(trimmed) ? n : trimmed);
      }}
    />
  );
}

function EnumField({ id, schema, value, isRequired, onChange }: InputProps & { isRequired: boolean }) {
  const options = schema.enum as unknown[];
  const labels = ui(schema).enumLabels ?? {};
  const index = options.findIndex((o) => o === value);
  const def = defaultText(schema);
  return (
    <select
      id={`f-${id}`}
      data-testid={`field-${id}`}
      value={index >= 0 ? String(index) : ''}
      onChange={(e) => onChange(e.target.value === '' ? undefined : options[Number(e.target.value)])}
    >
      {(!isRequired || index < 0) && (
        <option value="">
          {def !== undefined ? `default (${labels[String(schema.default)] ?? def})` : '— choose —'}
        </option>
      )}
      {options.map((o, i) => (
        <option key={i} value={String(i)}>
          {labels[String(o)] ? `${labels[String(o)]}` : String(o)}
        </option>
      ))}
    </select>
  );
}

/** `string | number | boolean` values: typed as text, read as a number or boolean when it looks like one. */
function ScalarField({ id, schema, value, onChange }: InputProps) {
  const allowed = variants(schema).map((v) => String(v.type));
  const [draft, setDraft] = useDraft(value, (v) => (v === undefined ? '' : v === null ? 'null' : String(v)));
  return (
    <input
      id={`f-${id}`}
      data-testid={`field-${id}`}
      type="text"
      value={draft}
      placeholder={allowed.join(' or ')}
      onChange={(e) => {
        const t = e.target.value;
        setDraft(t);
        if (t === '') return onChange(undefined);
        if (allowed.includes('null') && t === 'null') return onChange(null);
        if (allowed.includes('boolean') && (t === 'true' || t === 'false')) return onChange(t === 'true');
        if (allowed.includes('number') && t.trim() !== '' && Number.isFinite(Number(t))) return onChange(Number(t));
        onChange(t);
      }}
    />
  );
}

/** Any JSON value, typed as JSON text; invalid JSON is reported here and not applied. */
function JsonField({ id, value, onChange }: Omit<InputProps, 'schema'>) {
  const [draft, setDraft] = useDraft(value, (v) => (v === undefined ? '' : JSON.stringify(v, null, 2)));
  const [error, setError] = useState<string | null>(null);
  return (
    <>
      <textarea
        id={`f-${id}`}
        data-testid={`field-${id}`}
        className="json-text"
        rows={Math.min(10, Math.max(2, draft.split('\n').length))}
        value={draft}
        spellCheck={false}
        placeholder='a JSON value, e.g. 42, "text", {"a": 1}'
        onChange={(e) => {
          const text = e.target.value;
          setDraft(text);
          if (text.trim() === '') {
            setError(null);
            return onChange(undefined);
          }
          try {
            const parsed: unknown = JSON.parse(text);
            setError(null);
            onChange(parsed);
          } catch {
            setError('Not valid JSON yet (text needs "quotes").');
          }
        }}
      />
      {error && <p className="field-error local">{error}</p>}
    </>
  );
}

/** Name/value rows for an object of strings (`x-ui.widget: 'key-value'`). */
function KeyValueField({ id, value, onChange }: Omit<InputProps, 'schema'>) {
  const record = value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  const [rows, setRows] = useState<[string, string][]>(() => Object.entries(record).map(([k, v]) => [k, String(v)]));
  const [last, setLast] = useState(value);
  if (last !== value) {
    setLast(value);
    const fromValue = Object.entries(record).map(([k, v]) => [k, String(v)] as [string, string]);
    // Rows with an empty name are kept while typing; anything else follows the value.
    const named = rows.filter(([k]) => k !== '');
    if (JSON.stringify(named) !== JSON.stringify(fromValue)) setRows(fromValue);
  }
  const commit = (next: [string, string][]) => {
    setRows(next);
    const out: Record<string, string> = {};
    for (const [k, v] of next) if (k !== '') out[k] = v;
    onChange(Object.keys(out).length > 0 ? out : undefined);
  };
  return (
    <div className="kv" data-testid={`field-${id}`}>
      {rows.map(([k, v], i) => (
        <div className="kv-row" key={i}>
          <input
            aria-label="name"
            placeholder="name"
            value={k}
            onChange={(e) => commit(rows.map((r, j) => (j === i ? [e.target.value, r[1]] : r)))}
          />
          <input
            aria-label="value"
            placeholder="value"
            value={v}
            onChange={(e) => commit(rows.map((r, j) => (j === i ? [r[0], e.target.value] : r)))}
          />
          <button
            type="button"
            className="icon"
            title="Remove this row"
            aria-label="Remove row"
            onClick={() => commit(rows.filter((_, j) => j !== i))}
          >
            ✕
          </button>
        </div>
      ))}
      <button type="button" className="small" onClick={() => setRows([...rows, ['', '']])}>
        + Add a row
      </button>
    </div>
  );
}

/** A field that takes one of several shapes (`window`: last N values / last S seconds; `signal`: sine / ramp ...). */
function UnionField({ schema, path, name, value, isRequired, onChange, ctx }: FieldProps) {
  const id = dotted(path);
  const disc = discriminatorOf(schema);
  const effective = value === undefined ? schema.default : value;
  const index = matchVariant(schema, effective);
  const vs = variants(schema);
  const selectId = disc ? `${id}.${disc}` : id;
  return (
    <fieldset className={`field-group${ctx.errors[id] ? ' has-error' : ''}`}>
      <legend>
        {labelOf(schema, name)}
        {isRequired && <span className="required"> *</span>}
      </legend>
      {typeof schema.description === 'string' && <p className="hint">{schema.description}</p>}
      <div className="field">
        <label htmlFor={`f-${selectId}`}>Kind</label>
        <select
          id={`f-${selectId}`}
          data-testid={`field-${selectId}`}
          value={index >= 0 ? String(index) : ''}
          onChange={(e) =>
            onChange(path, e.target.value === '' ? undefined : variantSeed(schema, Number(e.target.value)))
          }
        >
          {index < 0 && <option value="">— choose —</option>}
          {vs.map((_, i) => (
            <option key={i} value={String(i)}>
              {variantTitle(schema, i)}
            </option>
          ))}
        </select>
        <FieldError id={selectId} ctx={ctx} />
      </div>
      {index >= 0 && (
        <SchemaForm
          schema={vs[index]}
          value={effective}
          ctx={ctx}
          path={path}
          onChange={(p, v) => {
            // Editing a field of the default shape writes the whole shape, not just that field.
            if (value === undefined && effective !== undefined)
              return onChange(path, setIn(structuredClone(effective), p.slice(path.length), v));
            onChange(p, v);
          }}
        />
      )}
      <FieldError id={id} ctx={ctx} />
    </fieldset>
  );
}

/** Lists: rows of inputs (strings, numbers) or of sub-forms (objects), each removable. */
function ArrayField({ schema, path, name, value, isRequired, onChange, ctx }: FieldProps) {
  const id = dotted(path);
  const items = obj(schema.items);
  const list: unknown[] = Array.isArray(value) ? value : [];
  const complex = isObjectUnion(items) || types(items).includes('object') || items.properties !== undefined;
  const simple = !complex && (types(items).length > 0 || Array.isArray(items.enum));
  if (!complex && !simple) {
    return (
      <FieldShell id={id} schema={schema} name={name} isRequired={isRequired} wide ctx={ctx}>
        <JsonField id={id} value={value} onChange={(v) => onChange(path, v)} />
      </FieldShell>
    );
  }
  return (
    <fieldset className={`field-group${ctx.errors[id] ? ' has-error' : ''}`} data-testid={`field-${id}`}>
      <legend>
        {labelOf(schema, name)}
        {isRequired && <span className="required"> *</span>}
      </legend>
      {typeof schema.description === 'string' && <p className="hint">{schema.description}</p>}
      {list.length === 0 && <p className="hint empty">None yet.</p>}
      {list.map((item, i) => (
        <div className={complex ? 'array-row array-row-complex' : 'array-row'} key={i}>
          <div className="array-row-body">
            <Field
              schema={items}
              path={[...path, i]}
              name={`${complex ? 'Item' : ''} ${i + 1}`.trim()}
              value={item}
              isRequired
              onChange={onChange}
              ctx={ctx}
            />
          </div>
          <button
            type="button"
            className="icon"
            title="Remove"
            aria-label={`Remove item ${i + 1}`}
            onClick={() =>
              onChange(
                path,
                list.filter((_, j) => j !== i),
              )
            }
          >
            ✕
          </button>
        </div>
      ))}
      <button
        type="button"
        className="small"
        data-testid={`add-${id}`}
        onClick={() => onChange(path, [...list, seedValue(items)])}
      >
        + Add
      </button>
      <FieldError id={id} ctx={ctx} />
    </fieldset>
  );
}

export type { FlowResource };
