import { useEffect, useState } from 'react';
import { useLive } from './use-live';

const W = 320;
const H = 140;
const PAD = { left: 42, right: 8, top: 8, bottom: 18 };

/** A small live line chart of one node's numbers (plain SVG). */
export function TrendChart({ nodeId, onClose }: { nodeId: string; onClose(): void }) {
  const live = useLive();
  const points = live.series.points(nodeId);
  // Re-render every second so the time axis moves even when no value arrives.
  const [, tick] = useState(0);
  useEffect(() => {
    const t = setInterval(() => tick((n) => n + 1), 1000);
    return () => clearInterval(t);
  }, []);
  const now = Date.now();
  // The time axis grows with the data, from 30 s up to the store's window (5 minutes).
  const first = points.length > 0 ? points[0].time : now;
  const span = Math.min(live.series.windowMs, Math.max(30_000, now - first));
  const from = now - span;
  const shown = points.filter((p) => p.time >= from);
  let min = Math.min(...shown.map((p) => p.value));
  let max = Math.max(...shown.map((p) => p.value));
  if (!Number.isFinite(min)) {
    min = 0;
    max = 1;
  }
  if (min === max) {
    min -= 1;
    max += 1;
  }
  const x = (t: number) => PAD.left + ((t - from) / span) * (W - PAD.left - PAD.right);
  const y = (v: number) => PAD.top + (1 - (v - min) / (max - min)) * (H - PAD.top - PAD.bottom);
  const d = shown.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(p.time).toFixed(1)},${y(p.value).toFixed(1)}`).join(' ');
  const last = shown[shown.length - 1];
  return (
    <div className="trend" data-testid="trend-chart" data-points={shown.length}>
      <div className="head">
        <span>Last {formatSpan(span)}{last ? `: now ${formatNumber(last.value)}` : ''}</span>
        <button type="button" className="icon" aria-label="Close the chart" onClick={onClose}>
          ✕
        </button>
      </div>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`Trend of ${nodeId}`}>
        <rect x={PAD.left} y={PAD.top} width={W - PAD.left - PAD.right} height={H - PAD.top - PAD.bottom} fill="#fff" stroke="#e1e6ec" />
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
        {d && <path d={d} fill="none" stroke="#1f6feb" strokeWidth="1.5" />}
        {last && <circle cx={x(last.time)} cy={y(last.value)} r="3" fill="#1f6feb" />}
      </svg>
      {shown.length === 0 && <p className="hint">No numbers yet. Values appear when this node (or the debug node it feeds) sends numbers to a debug node of the running flow.</p>}
    </div>
  );
}

function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return '';
  const abs = Math.abs(n);
  return abs >= 1000 || abs === 0 ? n.toFixed(0) : abs >= 10 ? n.toFixed(1) : n.toFixed(2);
}

function formatSpan(ms: number): string {
  return ms < 90_000 ? `${Math.round(ms / 1000)} s` : `${Math.round(ms / 60_000)} min`;
}
