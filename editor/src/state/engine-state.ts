import type { EngineEnd, EngineStateInfo } from '../api/types';

/** An end older than this, read from GET /api/status on load, is old news: no notice. */
export const END_NOTICE_MAX_AGE_MS = 60 * 60_000;

/** What was done after the engine was ended, as far as the editor knows. */
export type EndOutcome =
  | { kind: 'restored'; restored: number; version: number }
  | { kind: 'restarted'; version: number }
  | { kind: 'safe-mode' }
  | { kind: 'running'; version: number }
  | { kind: 'stopped' };

/** The last end of the engine and what followed, until the user dismisses it. */
export interface EndNotice {
  end: EngineEnd;
  outcome?: EndOutcome;
}

/** What the editor shows about the flow engine: safe mode, a recent end, a restart under way. */
export interface EngineView {
  /** `unknown` until the first status answer (or with a runtime that does not report it). */
  state: EngineStateInfo['state'] | 'unknown';
  safeMode?: { reason: string; since: string };
  notice?: EndNotice;
}

/** A WebSocket frame, as far as this module reads it. */
interface Frame {
  type: string;
  time?: number;
  [field: string]: unknown;
}

/**
 * Keeps the engine's state from GET /api/status answers and the `engine-ended`,
 * `engine-restored`, `safe-mode` and `deploy` frames. The frames make the editor react at once;
 * each status answer then corrects what the frames guessed (e.g. `restarting` after an end).
 */
export class EngineWatch {
  private current: EngineView = { state: 'unknown' };

  /** `dismissed`: the `at` of an end the user already dismissed (kept by the caller across reloads). */
  constructor(private dismissed?: string) {}

  get view(): EngineView {
    return this.current;
  }

  /** The end the user dismissed last, for the caller to keep. */
  get dismissedAt(): string | undefined {
    return this.dismissed;
  }

  /** Takes GET /api/status's `engine`; returns whether the view changed. */
  fromStatus(engine: EngineStateInfo | undefined, now: number): boolean {
    const before = JSON.stringify(this.current);
    if (!engine) {
      this.current = { state: 'unknown' };
      return before !== JSON.stringify(this.current);
    }
    const next: EngineView = { state: engine.state };
    if (engine.state === 'safe-mode' && engine.safeMode) next.safeMode = engine.safeMode;
    const end = engine.lastEnd;
    const known = this.current.notice;
    if (known && (!end || known.end.at === end.at)) {
      // The frames told more (which version was restored): keep it, and fill in what they could not.
      next.notice = known.outcome ? known : { end: known.end, outcome: outcomeFrom(engine) };
    } else if (end && end.at !== this.dismissed && now - Date.parse(end.at) <= END_NOTICE_MAX_AGE_MS) {
      next.notice = { end, outcome: outcomeFrom(engine) };
    }
    this.current = next;
    return before !== JSON.stringify(this.current);
  }

  /** Takes a WebSocket frame; returns whether the view changed (false for frames of other types). */
  handle(frame: Frame): boolean {
    const time = typeof frame.time === 'number' ? frame.time : Date.now();
    switch (frame.type) {
      case 'engine-ended': {
        const end = endFrom(frame, time);
        this.current = { ...this.current, state: 'restarting', notice: { end } };
        return true;
      }
      case 'engine-restored': {
        const version = num(frame.version);
        if (version === undefined) return false;
        const restored = num(frame.restored);
        const outcome: EndOutcome =
          frame.restarted === true || restored === undefined
            ? { kind: 'restarted', version }
            : { kind: 'restored', restored, version };
        const end = this.current.notice?.end ?? endFrom({ ...frame, version: num(frame.failedVersion) }, time);
        this.current = { state: 'running', notice: { end, outcome } };
        return true;
      }
      case 'safe-mode': {
        const reason = typeof frame.reason === 'string' ? frame.reason : 'no reason given';
        const notice = this.current.notice && { end: this.current.notice.end, outcome: { kind: 'safe-mode' as const } };
        this.current = { state: 'safe-mode', safeMode: { reason, since: new Date(time).toISOString() }, notice };
        return true;
      }
      case 'deploy':
        // A deploy that succeeds leaves safe mode; the next status answer confirms.
        if (this.current.state !== 'safe-mode' && this.current.state !== 'stopped') return false;
        this.current = { ...this.current, state: 'running', safeMode: undefined };
        return true;
      default:
        return false;
    }
  }

  /** Hides the current end notice (and the same end when a later status repeats it). */
  dismiss(): void {
    if (!this.current.notice) return;
    this.dismissed = this.current.notice.end.at;
    this.current = { ...this.current, notice: undefined };
  }
}

function outcomeFrom(engine: EngineStateInfo): EndOutcome | undefined {
  if (engine.state === 'safe-mode') return { kind: 'safe-mode' };
  if (engine.state === 'running' && engine.flowVersion !== undefined)
    return { kind: 'running', version: engine.flowVersion };
  // Nothing was restored (no flow ran, or the runtime stops): say so rather than "restoring" for ever.
  if (engine.state === 'stopped') return { kind: 'stopped' };
  return undefined;
}

function endFrom(frame: Frame, time: number): EngineEnd {
  const kinds: readonly EngineEnd['kind'][] = ['watchdog', 'memory', 'crash', 'stuck-at-deploy', 'unclean-stop'];
  const kind = kinds.find((k) => k === frame.kind) ?? 'crash';
  const end: EngineEnd = {
    at: typeof frame.at === 'string' ? frame.at : new Date(time).toISOString(),
    reason: typeof frame.reason === 'string' ? frame.reason : 'no reason given',
    kind,
  };
  if (typeof frame.nodeId === 'string') end.nodeId = frame.nodeId;
  if (typeof frame.nodeType === 'string') end.nodeType = frame.nodeType;
  const version = num(frame.version);
  if (version !== undefined) end.version = version;
  return end;
}

function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** The safe-mode banner's words, or undefined when the runtime is not in safe mode. */
export function safeModeText(view: EngineView, now: number): { text: string; since: string } | undefined {
  if (view.state !== 'safe-mode') return undefined;
  const reason = view.safeMode?.reason;
  const why =
    reason === undefined
      ? ''
      : reason.startsWith('started with --safe')
        ? ' The runtime was started with --safe.'
        : ` ${sentence(reason)}`;
  const text = `Safe mode: no flow is running.${why} Deploy a flow or roll back to a version to leave safe mode.`;
  const sinceMs = view.safeMode ? Date.parse(view.safeMode.since) : NaN;
  return { text, since: Number.isNaN(sinceMs) ? '' : `Since ${clock(sinceMs)} (${ago(now - sinceMs)}).` };
}

/** The end notice's words: what stopped the flow, and what runs now. */
export function endNoticeText(notice: EndNotice): string {
  const { end, outcome } = notice;
  const flow = end.version !== undefined ? `The flow (version ${end.version})` : 'The flow';
  const node = end.nodeId ? `node "${end.nodeId}"${end.nodeType ? ` (${end.nodeType})` : ''}` : undefined;
  let cause: string;
  switch (end.kind) {
    case 'watchdog':
      cause = node ? `${node} ran too long` : 'the engine stopped answering';
      break;
    case 'memory':
      cause = node ? `${node} used too much memory` : 'it used too much memory';
      break;
    case 'stuck-at-deploy':
      cause = node ? `${node} ran too long while a deploy waited` : 'the engine was stuck when a deploy came';
      break;
    case 'unclean-stop':
      cause = 'the runtime ended without a clean stop soon after the flow started';
      break;
    default:
      cause = node ? `${node} crashed the engine` : 'the engine crashed';
  }
  const detail = end.kind === 'unclean-stop' ? '' : ` (${end.reason})`;
  return `${flow} was stopped because ${cause}${detail}; ${outcomeText(outcome)}.`;
}

function outcomeText(outcome: EndOutcome | undefined): string {
  switch (outcome?.kind) {
    case 'restored':
      return outcome.version === outcome.restored
        ? `version ${outcome.restored} was restored`
        : `version ${outcome.restored} was restored (saved as version ${outcome.version})`;
    case 'restarted':
      return `version ${outcome.version} was started again`;
    case 'safe-mode':
      return 'no earlier version had run healthily, so no flow runs (safe mode)';
    case 'running':
      return `version ${outcome.version} runs now`;
    case 'stopped':
      return 'no flow runs now';
    default:
      return 'the runtime is restoring a version';
  }
}

/** Words for the live indicator while the engine (re)starts, else undefined. */
export function engineActivity(view: EngineView): string | undefined {
  if (view.state === 'restarting') return 'engine restarting…';
  if (view.state === 'starting') return 'engine starting…';
  return undefined;
}

function sentence(text: string): string {
  const trimmed = text.trim();
  const capital = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}

function clock(ms: number): string {
  const d = new Date(ms);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}

/** "just now", "5 min ago", "3 h 20 min ago", "2 days ago". */
export function ago(ms: number): string {
  const minutes = Math.floor(Math.max(0, ms) / 60_000);
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 ? `${hours} h ${minutes % 60} min ago` : `${hours} h ago`;
  const days = Math.floor(hours / 24);
  return days === 1 ? '1 day ago' : `${days} days ago`;
}
