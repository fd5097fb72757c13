import { useState } from 'react';
import type { FormEvent } from 'react';
import type { FormContext } from './form-context';

/**
 * Stores a secret's value on the runtime under the name the field holds. The value goes to
 * PUT /api/secrets/:name only: never into the flow, never back to the page.
 */
export function SecretButton({ secretName, ctx }: { secretName: string; ctx: FormContext }) {
  const [open, setOpen] = useState(false);
  const [value, setValue] = useState('');
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const valid = /^[A-Za-z_][A-Za-z0-9._-]*$/.test(secretName);
  // Shows its own errors below the form, so onSubmit fires it and forgets it.
  const store = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    setBusy(true);
    try {
      await ctx.api.putSecret(secretName, value);
      setMessage({ ok: true, text: `Stored on the runtime as "${secretName}". The flow holds only the name.` });
      setValue('');
      setOpen(false);
    } catch (err) {
      const status = (err as { status?: number }).status;
      setMessage({
        ok: false,
        text:
          status === 403 ? 'Only an admin token may store secrets.' : err instanceof Error ? err.message : String(err),
      });
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
        onClick={() => setOpen(!open)}
      >
        {open ? 'Cancel' : 'Store secret…'}
      </button>
      {open && (
        <form className="secret-form" onSubmit={(e) => void store(e)}>
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
      {message && <p className={message.ok ? 'ok-text' : 'field-error'}>{message.text}</p>}
    </div>
  );
}
