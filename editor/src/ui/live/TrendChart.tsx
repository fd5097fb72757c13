import { useEffect, useState } from 'react';
import { ApiError } from '../../api/client';
import type { AdminApi } from '../../api/client';
import { HISTORIAN_OUT, historyBucketMs, historyLookup, historyPoints } from '../../state';
import type { HistorySource, NoHistoryReason, SeriesPoint, SeriesShape } from '../../state';
import type { LiveStore, TrendPort } from './live-store';
import { useLive } from './use-live';

const W = 320;
const H = 140;
const PAD = { left: 42, right: 8, top: 8, bottom: 18 };
/** History is reloaded this often while the chart is open (rows keep arriving in batches). */
const HISTORY_REFRESH_MS = 15_000;

interface HistoryState {
  /** `resource|tag|window` the answer is for. */
  key: string;
  points: SeriesPoint[];
  error?: string;
}

/**
 * A small chart of what one node sends (plain SVG), from the runtime's per-node samples (one point
 * a second per output port; no debug node needed): numbers as a blue line with the spread of each
 * second shaded, on/off values as steps, events (alarms, texts) as markers. When a historian
 * records the node's values (`historyTagFor`), their history is drawn in grey beneath.
 */
export function TrendChart({
  nodeId,
  port,
  fromInputs = false,
  flow,
  flowId,
  api,
  onClose,
}: {
  nodeId: string;
  /** The output port to show (a wire's); default the node's `out`, else its first sampled port. */
  port?: string;
  /** For a node without outputs: show what the nodes wired to it send. */
  fromInputs?: boolean;
  flow: HistorySource;
  /** The flow whose historian to read (one runtime holds many flows). */
  flowId?: string;
  api: AdminApi;
  onClose(): void;
}) {
  const live = useLive();
  const ports = live.trendPorts(nodeId, fromInputs).filter((p) => port === undefined || p.port === port);
  const [chosen, choose] = useState<string | undefined>(undefined);
  const series = ports.find((p) => p.key === chosen) ?? preferredPort(ports);
  const points = series ? live.series.points(series.key) : [];
  const shape: SeriesShape = series?.shape ?? 'line';
  // Re-render every second so the time axis moves even when no value arrives.
  const [tickCount, tick] = useState(0);
  useEffect(() => {
    const t = setInterval(() => tick((n) => n + 1), 1000);
    return () => clearInterval(t);
  }, []);

  const lookup = historyLookup(flow, nodeId, topicFor(live, flow, nodeId));
  const target = lookup.tag;
  // History covers the store's whole window (5 minutes): the chart can show it all at once.
  const historyWindow = live.series.windowMs;
  const key = target ? `${target.resourceId}|${target.tag}|${historyWindow}` : '';
  const refresh = Math.floor((tickCount * 1000) / HISTORY_REFRESH_MS);
  const [history, setHistory] = useState<HistoryState | null>(null);
  useEffect(() => {
    if (!target) return;
    let gone = false;
    api
      .history(target.resourceId, [target.tag], {
        sinceMs: historyWindow,
        bucketMs: historyBucketMs(historyWindow),
        ...(flowId !== undefined ? { flow: flowId } : {}),
      })
      .then(
        (rows) => !gone && setHistory({ key, points: historyPoints(rows, target.tag) }),
        (err: unknown) =>
          !gone &&
          setHistory((prev) => ({ key, points: prev?.key === key ? prev.points : [], error: historyFailure(err) })),
      );
    return () => {
      gone = true;
    };
  }, [api, key, refresh]); // eslint-disable-line react-hooks/exhaustive-deps -- `key` stands for target and window; `refresh` re-runs the query
  const past = history && history.key === key ? history : null;

  const now = Date.now();
  // The time axis grows with the data (live and history), from 30 s up to the store's window (5 minutes).
  const firstLive = points.length > 0 ? points[0].time : now;
  const firstPast = past && past.points.length > 0 ? past.points[0].time : now;
  const span = Math.min(live.series.windowMs, Math.max(30_000, now - Math.min(firstLive, firstPast)));
  const from = now - span;
  const shown = points.filter((p) => p.time >= from);
  const pastShown = (past?.points ?? []).filter((p) => p.time >= from && p.time <= now);
  const values: number[] = [];
  for (const p of [...shown, ...pastShown]) {
    for (const v of [p.value, p.min, p.max]) if (v !== undefined && Number.isFinite(v)) values.push(v);
  }
  let min = Math.min(...values);
  let max = Math.max(...values);
  if (!Number.isFinite(min)) {
    min = 0;
    max = 1;
  }
  if (min === max) {
    min -= 1;
    max += 1;
  }
  const x = (t: number) => PAD.left + ((t - from) / span) * (W - PAD.left - PAD.right);
  // An event without a number sits on the bottom edge.
  const y = (v: number) =>
    Number.isFinite(v) ? PAD.top + (1 - (v - min) / (max - min)) * (H - PAD.top - PAD.bottom) : H - PAD.bottom - 4;
  const xy = (p: SeriesPoint) => `${x(p.time).toFixed(1)},${y(p.value).toFixed(1)}`;
  const numbered = shown.filter((p) => Number.isFinite(p.value));
  const dPast = linePath(pastShown, xy);
  const last = numbered[numbered.length - 1] ?? shown[shown.length - 1];
  const note = historyNote(target, lookup.reason, past, flow, nodeId);
  return (
    <div
      className="trend"
      data-testid="trend-chart"
      data-points={shown.length}
      data-shape={shape}
      data-port={series?.port ?? ''}
      data-history-points={pastShown.length}
      data-history-tag={target?.tag ?? ''}
    >
      <div className="head">
        <span>
          Last {formatSpan(span)}
          {last && Number.isFinite(last.value) ? `: now ${formatNumber(last.value)}` : ''}
        </span>
        {ports.length > 1 && (
          <select
            aria-label="Output shown"
            data-testid="trend-port"
            value={series?.key}
            onChange={(e) => choose(e.target.value)}
          >
            {ports.map((p) => (
              <option key={p.key} value={p.key}>
                {p.nodeId === nodeId ? p.port : `${p.nodeId} · ${p.port}`}
              </option>
            ))}
          </select>
        )}
        <button type="button" className="icon" aria-label="Close the chart" onClick={onClose}>
          ✕
        </button>
      </div>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`Trend of ${nodeId}`}>
        <rect
          x={PAD.left}
          y={PAD.top}
          width={W - PAD.left - PAD.right}
          height={H - PAD.top - PAD.bottom}
          fill="#fff"
          stroke="#e1e6ec"
        />
        <text x={PAD.left - 4} y={PAD.top + 8} textAnchor="end" fontSize="10" fill="#5b6776">
          {formatNumber(max)}
        </text>
        <text x={PAD.left - 4} y={H - PAD.bottom} textAnchor="end" fontSize="10" fill="#5b6776">
          {formatNumber(min)}
        </text>
        <text x={PAD.left} y={H - 4} fontSize="10" fill="#5b6776">
          −{formatSpan(span)}
        </text>
        <text x={W - PAD.right} y={H - 4} textAnchor="end" fontSize="10" fill="#5b6776">
          now
        </text>
        {dPast && <path d={dPast} fill="none" stroke="#9aa4b1" strokeWidth="1.5" data-testid="trend-history-line" />}
        <LiveShape shape={shape} points={shape === 'markers' ? shown : numbered} x={x} y={y} xy={xy} />
        {last && shape !== 'markers' && <circle cx={x(last.time)} cy={y(last.value)} r="3" fill="#1f6feb" />}
      </svg>
      {shown.length === 0 && (
        <p className="hint">
          Waiting for values: the runtime samples what this node sends once a second. Nothing has come since the chart
          opened.
        </p>
      )}
      {shown.length > 0 && shape !== 'line' && (
        <p className="hint" data-testid="trend-shape-note">
          {shape === 'steps'
            ? 'On/off values, drawn as steps (1 = on).'
            : 'Events (such as alarms raised and cleared), one marker per second with events; point at a marker to see what was sent.'}
        </p>
      )}
      {note && (
        <p className="hint" data-testid="trend-history-note">
          {note}
        </p>
      )}
    </div>
  );
}

/** The live series in its shape: a line with the spread of each window, steps, or markers. */
function LiveShape({
  shape,
  points,
  x,
  y,
  xy,
}: {
  shape: SeriesShape;
  points: readonly SeriesPoint[];
  x(t: number): number;
  y(v: number): number;
  xy(p: SeriesPoint): string;
}) {
  if (points.length === 0) return null;
  if (shape === 'markers')
    return (
      <g data-testid="trend-live" data-shape="markers">
        {points.map((p) => (
          <circle key={p.time} cx={x(p.time)} cy={y(p.value)} r="3.5" fill="#d1242f" stroke="#fff" strokeWidth="1">
            <title>{markerTitle(p)}</title>
          </circle>
        ))}
      </g>
    );
  if (shape === 'steps') {
    // Each value holds until the next one: horizontal, then vertical.
    const d = points
      .map((p, i) => (i === 0 ? `M${xy(p)}` : `H${x(p.time).toFixed(1)} V${y(p.value).toFixed(1)}`))
      .join(' ');
    return <path d={d} fill="none" stroke="#1f6feb" strokeWidth="1.5" data-testid="trend-live" data-shape="steps" />;
  }
  const spread = points.filter((p) => p.min !== undefined && p.max !== undefined && p.min !== p.max);
  const band =
    spread.length > 1
      ? [
          ...spread.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(p.time).toFixed(1)},${y(p.max as number).toFixed(1)}`),
          ...[...spread].reverse().map((p) => `L${x(p.time).toFixed(1)},${y(p.min as number).toFixed(1)}`),
          'Z',
        ].join(' ')
      : '';
  return (
    <>
      {band && <path d={band} fill="#1f6feb" fillOpacity="0.12" stroke="none" data-testid="trend-spread" />}
      <path
        d={linePath(points, xy)}
        fill="none"
        stroke="#1f6feb"
        strokeWidth="1.5"
        data-testid="trend-live"
        data-shape="line"
      />
    </>
  );
}

function linePath(points: readonly SeriesPoint[], xy: (p: SeriesPoint) => string): string {
  return points.map((p, i) => `${i === 0 ? 'M' : 'L'}${xy(p)}`).join(' ');
}

function markerTitle(p: SeriesPoint): string {
  const when = new Date(p.time).toLocaleTimeString();
  const count = p.count !== undefined && p.count > 1 ? ` (${p.count} events in this second, the last shown)` : '';
  const what = p.text ?? (Number.isFinite(p.value) ? formatNumber(p.value) : '');
  return `${when}${count}: ${what}`;
}

/** The port a trend opens on: `out`, else the first drawn as a line, else the first. */
function preferredPort(ports: readonly TrendPort[]): TrendPort | undefined {
  return ports.find((p) => p.port === 'out') ?? ports.find((p) => p.shape === 'line') ?? ports[0];
}

/**
 * The topic of the node's latest live message; for a historian-out, that of a node feeding it
 * (its messages are what it records).
 */
function topicFor(live: LiveStore, flow: HistorySource, nodeId: string): string | undefined {
  const own = live.lastTopic(nodeId);
  if (own !== undefined) return own;
  if (flow.nodes.find((n) => n.id === nodeId)?.type !== HISTORIAN_OUT) return undefined;
  for (const e of flow.edges) {
    if (e.target !== nodeId) continue;
    const topic = live.lastTopic(e.source);
    if (topic !== undefined) return topic;
  }
  return undefined;
}

/** A line under the chart about history, in plain words; null when nothing needs saying. */
function historyNote(
  target: { tag: string } | undefined,
  reason: NoHistoryReason | undefined,
  past: HistoryState | null,
  flow: HistorySource,
  nodeId: string,
): string | null {
  if (target) {
    if (past?.error) return `History of “${target.tag}” is not available: ${past.error}`;
    if (!past) return `Loading the history of “${target.tag}”…`;
    return past.points.length > 0
      ? `Grey: history of “${target.tag}” from the historian.`
      : `The historian has no numbers for “${target.tag}” in this time.`;
  }
  if (reason === 'topic-unknown') {
    const recorded =
      flow.nodes.find((n) => n.id === nodeId)?.type === HISTORIAN_OUT
        ? 'This node records'
        : 'A historian records this node’s values';
    return `${recorded} under a tag made from the message topic, which is not known yet: set a debug node fed by it to show the whole message to see the history too.`;
  }
  if (reason === 'field-unknown')
    return 'A historian records this node’s values under a tag made from message fields the editor cannot know, so no history is shown.';
  return null;
}

function historyFailure(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.status === 503) return `the historian is not connected right now (${err.message})`;
    if (err.status === 404) return `the running flow has no historian that can answer (${err.message})`;
    return err.message;
  }
  return err instanceof Error ? err.message : String(err);
}

function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return '';
  const abs = Math.abs(n);
  return abs >= 1000 || abs === 0 ? n.toFixed(0) : abs >= 10 ? n.toFixed(1) : n.toFixed(2);
}

function formatSpan(ms: number): string {
  return ms < 90_000 ? `${Math.round(ms / 1000)} s` : `${Math.round(ms / 60_000)} min`;
}
