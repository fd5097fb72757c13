import { useCallback, useEffect, useState } from 'react';
import type { FormEvent } from 'react';
import { ApiError } from '../../api/client';
import type { AdminApi } from '../../api/client';
import { inUseMessage, manageRefusal, usersFromRefusal } from '../../state/palette-packages';
import type { PackageRow, PackagesView } from '../../state/palette-packages';
import '../../styles/palette-manager.css';

/** What the last install or removal did, in plain words. */
interface Outcome {
  kind: 'info' | 'error';
  text: string;
}

/**
 * Node-RED's "Manage palette": the runtime's node packages with their versions and types (those
 * that come with the runtime marked so), installing one from a package file or by its registry
 * name, and removing one. Install and remove are offered to an admin token only; other roles see
 * why. `onChanged` runs after each change, so the palette reads the types again at once.
 */
export function PaletteManager({ api, onChanged, onClose }: { api: AdminApi; onChanged(): void; onClose(): void }) {
  const [view, setView] = useState<PackagesView | undefined>();
  const [loadError, setLoadError] = useState<string | undefined>();
  const [busy, setBusy] = useState<string | undefined>();
  const [outcome, setOutcome] = useState<Outcome | undefined>();
  const [confirming, setConfirming] = useState<string | undefined>();

  const load = useCallback(() => {
    api.packages().then(
      (v) => {
        setView(v);
        setLoadError(undefined);
      },
      (err: unknown) => setLoadError(err instanceof Error ? err.message : String(err)),
    );
  }, [api]);
  useEffect(load, [load]);

  /** Runs one install or removal (of package `name`, when known: a refusal names it). */
  const run = async (what: string, operation: () => Promise<string>, name?: string) => {
    setBusy(what);
    setOutcome(undefined);
    try {
      setOutcome({ kind: 'info', text: await operation() });
      onChanged();
      load();
    } catch (err) {
      setOutcome({ kind: 'error', text: failureText(err, name) });
    } finally {
      setBusy(undefined);
    }
  };

  const refusal = view && manageRefusal(view);
  const canManage = view !== undefined && refusal === undefined;

  return (
    <div className="modal-backdrop" role="presentation" onKeyDown={(e) => e.key === 'Escape' && onClose()}>
      <div
        className="modal palette-manager"
        role="dialog"
        aria-modal="true"
        aria-labelledby="palette-manager-title"
        data-testid="palette-manager"
      >
        <h2 id="palette-manager-title">Manage palette</h2>
        {loadError && (
          <p className="error-text" role="alert" data-testid="palette-manager-error">
            {loadError}
          </p>
        )}
        {!view && !loadError && <p className="hint">Reading the installed packages…</p>}
        {refusal && (
          <p className="pm-readonly" data-testid="palette-manager-readonly">
            {refusal}
          </p>
        )}
        {canManage && <InstallForms busy={busy} run={run} api={api} />}
        {outcome && (
          <p
            className={outcome.kind === 'error' ? 'error-text pm-outcome' : 'pm-outcome'}
            role={outcome.kind === 'error' ? 'alert' : 'status'}
            data-testid="palette-manager-message"
          >
            {outcome.text}
          </p>
        )}
        {view && (
          <ul className="pm-list" aria-label="Installed node packages">
            {view.rows.map((row) => (
              <PackageItem
                key={`${row.builtIn ? 'b' : 'i'}:${row.name}`}
                row={row}
                canRemove={canManage && !row.builtIn}
                busy={busy !== undefined}
                confirming={confirming === row.name}
                onAsk={() => setConfirming(row.name)}
                onCancel={() => setConfirming(undefined)}
                onRemove={() => {
                  setConfirming(undefined);
                  void run(
                    `remove ${row.name}`,
                    async () => {
                      const { removed } = await api.removePackage(row.name);
                      return `Removed ${removed.name} ${removed.version}: its nodes are gone from the palette.`;
                    },
                    row.name,
                  );
                }}
              />
            ))}
          </ul>
        )}
        <div className="actions">
          <button type="button" data-testid="palette-manager-close" onClick={onClose} autoFocus>
            Close
          </button>
        </div>
      </div>
    </div>
  );
}

function InstallForms({
  api,
  busy,
  run,
}: {
  api: AdminApi;
  busy: string | undefined;
  run(what: string, operation: () => Promise<string>): Promise<void>;
}) {
  const [file, setFile] = useState<File | undefined>();
  const [name, setName] = useState('');
  const [version, setVersion] = useState('');
  const installed = (answer: Awaited<ReturnType<AdminApi['installPackage']>>) => {
    const p = answer.package;
    const types = p.nodes && p.nodes.length > 0 ? `: ${p.nodes.join(', ')}` : '';
    if (answer.status === 'unchanged') return `${p.name} ${p.version} was already installed${types}.`;
    return `Installed ${p.name} ${p.version}${types}. Its nodes are in the palette now.`;
  };
  const fromFile = (e: FormEvent) => {
    e.preventDefault();
    if (!file) return;
    void run(`install ${file.name}`, async () => installed(await api.installPackage({ file })));
  };
  const fromName = (e: FormEvent) => {
    e.preventDefault();
    const n = name.trim();
    if (!n) return;
    void run(`install ${n}`, async () =>
      installed(await api.installPackage({ name: n, version: version.trim() || undefined })),
    );
  };
  return (
    <div className="pm-install">
      <form onSubmit={fromFile} className="pm-install-row">
        <label htmlFor="pm-file">Install from a package file (.tgz, e.g. from a USB stick)</label>
        <input
          id="pm-file"
          data-testid="package-file"
          type="file"
          accept=".tgz,.tar.gz,application/gzip"
          onChange={(e) => setFile(e.target.files?.[0])}
        />
        <button type="submit" className="primary" data-testid="package-install-file" disabled={!file || !!busy}>
          {busy?.startsWith('install ') && file && busy === `install ${file.name}` ? 'Installing…' : 'Install file'}
        </button>
      </form>
      <form onSubmit={fromName} className="pm-install-row">
        <label htmlFor="pm-name">Or by name from the package registry the runtime uses</label>
        <span className="pm-name-fields">
          <input
            id="pm-name"
            data-testid="package-name"
            type="text"
            placeholder="@acme/oee-nodes"
            value={name}
            onChange={(e) => setName(e.target.value)}
          />
          <input
            data-testid="package-version"
            type="text"
            aria-label="Version (optional)"
            placeholder="version (optional)"
            value={version}
            onChange={(e) => setVersion(e.target.value)}
          />
        </span>
        <button type="submit" data-testid="package-install-name" disabled={!name.trim() || !!busy}>
          Install
        </button>
      </form>
      {busy && (
        <p className="hint" role="status">
          Working: {busy}…
        </p>
      )}
    </div>
  );
}

function PackageItem({
  row,
  canRemove,
  busy,
  confirming,
  onAsk,
  onCancel,
  onRemove,
}: {
  row: PackageRow;
  canRemove: boolean;
  busy: boolean;
  confirming: boolean;
  onAsk(): void;
  onCancel(): void;
  onRemove(): void;
}) {
  return (
    <li className="pm-row" data-testid={`package-row-${row.name}`}>
      <div className="pm-head">
        <span className="pm-name">{row.name}</span>
        <span className="pm-version">{row.version}</span>
        {row.builtIn && <span className="pm-badge">comes with the runtime</span>}
        {canRemove &&
          (confirming ? (
            <span className="pm-confirm">
              Remove {row.name}?
              <button
                type="button"
                className="danger"
                data-testid={`package-remove-yes-${row.name}`}
                onClick={onRemove}
              >
                Remove
              </button>
              <button type="button" onClick={onCancel}>
                Keep
              </button>
            </span>
          ) : (
            <button type="button" data-testid={`package-remove-${row.name}`} disabled={busy} onClick={onAsk}>
              Remove…
            </button>
          ))}
      </div>
      <div className="pm-types">
        {row.nodes.length === 0 && row.resources.length === 0 && 'no node types'}
        {row.nodes.map((t) => (
          <code key={t}>{t}</code>
        ))}
        {row.resources.map((t) => (
          <code key={t} title="a resource type (a connection nodes share)">
            {t} (resource)
          </code>
        ))}
      </div>
    </li>
  );
}

/** The runtime's reason; an in-use refusal names the flows' nodes by label (runtimes that say them). */
function failureText(err: unknown, name: string | undefined): string {
  if (err instanceof ApiError) {
    const users = usersFromRefusal(err.body);
    if (err.status === 409 && users.length > 0) return inUseMessage(name ?? 'The package', users);
    return err.message;
  }
  return err instanceof Error ? err.message : String(err);
}
