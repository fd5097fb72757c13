import { Fragment, useState } from 'react';
import { runResourceTool } from '../../api/resource-tools-api';
import {
  MODBUS_TABLES,
  orderApplies,
  pickerResource,
  TEST_READ_TYPES,
  valueText,
  WORD_ORDERS,
} from '../../state/tag-pickers';
import type { ModbusPick, TestReadAnswer } from '../../state/tag-pickers';
import type { FormContext } from './form-context';
import '../../styles/tag-pickers.css';

/**
 * "Test read…" beside a Modbus address field: reads a range of the device the node names and
 * shows each address decoded in every type and byte order side by side, so that a person picks
 * the interpretation showing the value the device's display shows. A pick fills the tag's table,
 * address, type and order. `tag` is the tag (or modbus-write config) the field belongs to.
 */
export function ModbusTestRead({
  id,
  resourceField,
  tag,
  onPick,
  ctx,
}: {
  id: string;
  resourceField: string;
  tag: Readonly<Record<string, unknown>> | undefined;
  onPick(pick: ModbusPick): void;
  ctx: FormContext;
}) {
  const [open, setOpen] = useState(false);
  const [table, setTable] = useState(() => (typeof tag?.function === 'string' ? tag.function : 'holding-register'));
  const [address, setAddress] = useState(() => (typeof tag?.address === 'number' ? tag.address : 0));
  const [count, setCount] = useState(10);
  const [answer, setAnswer] = useState<TestReadAnswer | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [reading, setReading] = useState(false);
  const target = pickerResource(ctx.resources, ctx.config, resourceField, 'modbus-device');

  const read = () => {
    if (!('resource' in target)) return;
    setReading(true);
    setError(undefined);
    runResourceTool(ctx.api, 'test-read', target.resource, { function: table, address, count }, ctx.flowId)
      .then(
        (result) => setAnswer(result as TestReadAnswer),
        (err: unknown) => {
          setAnswer(undefined);
          setError(err instanceof Error ? err.message : String(err));
        },
      )
      .finally(() => setReading(false));
  };
  const pick = (p: ModbusPick) => {
    onPick(p);
    setOpen(false);
  };

  return (
    <div className="tag-picker">
      <button
        type="button"
        className="small"
        data-testid={`tag-picker-open-${id}`}
        aria-expanded={open}
        onClick={() => setOpen(!open)}
        disabled={!('resource' in target)}
        title={'missing' in target ? target.missing : 'Read registers from the device and pick how to decode them'}
      >
        {open ? 'Close test read' : 'Test read…'}
      </button>
      {'missing' in target && <span className="tag-picker-note">{target.missing}</span>}
      {open && 'resource' in target && (
        <div
          className="tag-picker-panel tag-picker-overlay"
          data-testid="modbus-test-read"
          role="dialog"
          aria-label="Modbus test read"
          onKeyDown={(e) => {
            if (e.key === 'Escape') setOpen(false);
          }}
        >
          <div className="tag-picker-head">
            <strong>Test read from {target.resource.id}</strong>
            <button type="button" className="small" data-testid="modbus-test-close" onClick={() => setOpen(false)}>
              Close
            </button>
          </div>
          <div className="modbus-range">
            <label>
              Table
              <select data-testid="modbus-test-table" value={table} onChange={(e) => setTable(e.target.value)}>
                {MODBUS_TABLES.map((t) => (
                  <option key={t} value={t}>
                    {t}
                  </option>
                ))}
              </select>
            </label>
            <label>
              From address (0-based)
              <input
                type="number"
                data-testid="modbus-test-address"
                min={0}
                max={65535}
                value={address}
                onChange={(e) => setAddress(Math.max(0, Math.trunc(Number(e.target.value) || 0)))}
              />
            </label>
            <label>
              Count
              <input
                type="number"
                data-testid="modbus-test-count"
                min={1}
                max={64}
                value={count}
                onChange={(e) => setCount(Math.min(64, Math.max(1, Math.trunc(Number(e.target.value) || 1))))}
              />
            </label>
            <button
              type="button"
              className="small primary"
              data-testid="modbus-test-run"
              onClick={read}
              disabled={reading}
            >
              {reading ? 'Reading…' : 'Read'}
            </button>
          </div>
          {error && (
            <p className="tag-picker-error" role="alert" data-testid="tag-picker-error">
              {error}
            </p>
          )}
          {answer && <Results answer={answer} onPick={pick} />}
        </div>
      )}
    </div>
  );
}

/** The decoded values: one row per address and type, one column per byte order; each cell picks. */
function Results({ answer, onPick }: { answer: TestReadAnswer; onPick(pick: ModbusPick): void }) {
  if (answer.rows.every((r) => r.bit !== undefined)) {
    return (
      <table className="modbus-results" data-testid="modbus-results">
        <thead>
          <tr>
            <th scope="col">Address</th>
            <th scope="col">Value (click to use)</th>
          </tr>
        </thead>
        <tbody>
          {answer.rows.map((row) => (
            <tr key={row.address}>
              <th scope="row">{row.address}</th>
              <td>
                <button
                  type="button"
                  className="modbus-cell"
                  data-testid={`modbus-bit-${row.address}`}
                  onClick={() => onPick({ function: answer.function, address: row.address, type: 'bool' })}
                >
                  {valueText(row.bit)}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    );
  }
  return (
    <>
      <p className="tag-picker-note">
        Find the value the device shows, and click it: that sets the address, data type and byte order.
      </p>
      <table className="modbus-results" data-testid="modbus-results">
        <thead>
          <tr>
            <th scope="col">Address</th>
            <th scope="col">Raw</th>
            <th scope="col">Type</th>
            {WORD_ORDERS.map((order) => (
              <th scope="col" key={order}>
                {order}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {answer.rows.map((row) => {
            const types = TEST_READ_TYPES.filter((t) => row.values?.[t]);
            return (
              <Fragment key={row.address}>
                {types.map((type, i) => (
                  <tr key={type} className={i === 0 ? 'modbus-first' : undefined}>
                    {i === 0 && (
                      <>
                        <th scope="row" rowSpan={types.length}>
                          {row.address}
                        </th>
                        <td rowSpan={types.length} className="modbus-raw">
                          {row.word === undefined ? '' : `0x${row.word.toString(16).padStart(4, '0')}`}
                        </td>
                      </>
                    )}
                    <td className="modbus-type">{type}</td>
                    {WORD_ORDERS.map((order) => (
                      <td key={order}>
                        {orderApplies(type, order) && (
                          <button
                            type="button"
                            className="modbus-cell"
                            data-testid={`modbus-cell-${row.address}-${type}-${order}`}
                            title={`Use address ${row.address} as ${type} ${order}`}
                            onClick={() => onPick({ function: answer.function, address: row.address, type, order })}
                          >
                            {valueText(row.values?.[type]?.[order])}
                          </button>
                        )}
                      </td>
                    ))}
                  </tr>
                ))}
              </Fragment>
            );
          })}
        </tbody>
      </table>
    </>
  );
}
