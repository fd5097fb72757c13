import { useState } from 'react';
import type { FormEvent } from 'react';
import { bindingLabel, parseAllowInput } from '../../state';
import type { SecretInfo } from '../../state';
import type { FormContext } from './form-context';

type Notice = { kind: 'ok' | 'warn' | 'error'; text: string };

const NOTICE_CLASS: Record<Notice['kind'], string> = { ok: 'ok-text', warn: 'warn-text', error: 'field-error' };

/** Plain words for a failed secrets call: a 403 means the token is not an admin's. */
function failure(err: unknown): string {
  const status = (err as { status?: number }).status;
  if (status === 403) return 'Only an admin token may see or store secrets.';
  return err instanceof Error ? err.message : String(err);
}

/**
 * Stores a secret's value on the runtime under the name the field holds, bound to the hosts typed
 * in "May be sent to" (none: unbound, and the runtime's warning is shown). The value goes to
 * PUT /api/secrets/:name only: never into the flow, never back to the page. Opening it lists the
 * stored secrets with their bindings, an unbound one badged "any host".
 */
export function SecretButton({ secretName, ctx }: { secretName: string; ctx: FormContext }) {
  const [open, setOpen] = useState(false);
  const [value, setValue] = useState('');
  const [allowText, setAllowText] = useState('');
  const [stored, setStored] = useState<SecretInfo[] | null>(null);
  const [notice, setNotice] = useState<Notice | null>(null);
  const [busy, setBusy] = useState(false);
  const valid = /^[A-Za-z_][A-Za-z0-9._-]*$/.test(secretName);

  const loadList = async (): Promise<SecretInfo[] | null> => {
    try {
      const list = await ctx.api.secrets();
      setStored(list);
      return list;
    } catch (err) {
      setStored(null);
      setNotice({ kind: 'error', text: failure(err) });
      return null;
    }
  };
  const toggle = async () => {
    if (open) {
      setOpen(false);
      return;
    }
    setOpen(true);
    setNotice(null);
    const list = await loadList();
    // Storing again replaces the binding too: start from the one it has.
    setAllowText(list?.find((s) => s.name === secretName)?.allow?.join(', ') ?? '');
  };
  // Shows its own errors below the form, so onSubmit fires it and forgets it.
  const store = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    setBusy(true);
    try {
      const result = await ctx.api.putSecret(secretName, value, parseAllowInput(allowText));
      setNotice(
        result.warning
          ? { kind: 'warn', text: `Stored on the runtime as "${secretName}". ${result.warning}` }
          : {
              kind: 'ok',
              text: `Stored on the runtime as "${secretName}", to be sent only to ${bindingLabel(result.allow)}. The flow holds only the name.`,
            },
      );
      setValue('');
      await loadList();
    } catch (err) {
      setNotice({ kind: 'error', text: failure(err) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="secret">
      <button
        type="button"
        className="small"
        data-testid="store-secret"
        disabled={!valid}
        title={valid ? '' : 'First type a name for the secret, e.g. PLANT_MQTT_PASSWORD'}
        onClick={() => void toggle()}
      >
        {open ? 'Close' : 'Store secret…'}
      </button>
      {open && (
        <form className="secret-form" onSubmit={(e) => void store(e)}>
          <input
            type="text"
            className="secret-allow"
            data-testid="secret-allow"
            aria-label="May be sent to (host:port, comma-separated; empty: any host)"
            title="The only hosts this secret may be sent to, e.g. broker.plant:1883. Empty: any host, which anyone allowed to deploy could abuse."
            placeholder="may be sent to: broker.plant:1883"
            value={allowText}
            onChange={(e) => setAllowText(e.target.value)}
          />
          <input
            type="password"
            data-testid="secret-value"
            autoComplete="new-password"
            placeholder={`value of ${secretName}`}
            value={value}
            onChange={(e) => setValue(e.target.value)}
          />
          <button type="submit" className="primary small" data-testid="secret-save" disabled={busy || value === ''}>
            Save
          </button>
        </form>
      )}
      {notice && (
        <p className={NOTICE_CLASS[notice.kind]} data-testid="secret-notice">
          {notice.text}
        </p>
      )}
      {open && stored && (
        <ul className="secret-list" data-testid="secret-list">
          {stored.length === 0 && <li className="hint">No secrets stored on this runtime yet.</li>}
          {stored.map((s) => (
            <li key={s.name} data-testid={`secret-${s.name}`}>
              <code>{s.name}</code>{' '}
              <span className={s.allow ? 'binding-badge' : 'binding-badge unbound'} data-testid="secret-binding">
                {bindingLabel(s.allow)}
              </span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
