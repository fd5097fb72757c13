import type { Flow } from '@tagflow/flow-model';
import { ago } from './engine-state';

/**
 * Undeployed edits kept in the browser (localStorage), one per runtime and flow, so a reload, a
 * crash of the tab or a sign-out loses nothing: the editor offers them back on the next load.
 * Pure logic over a `Storage`-like object; the UI passes `window.localStorage`.
 */

/** The parts of the Web Storage API used here (window.localStorage has them). */
export interface DraftStorage {
  readonly length: number;
  key(index: number): string | null;
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** One flow's undeployed edits as kept in the browser. */
export interface LocalDraft {
  /** The flow's id on the runtime (the tab's id). */
  flowId: string;
  /** The flow's name when it was saved, to name it in the offer. */
  name: string;
  /** The runtime's version the edits started from (0: a flow the runtime did not hold). */
  baseVersion: number;
  /** When it was saved (ms since the epoch). */
  savedAt: number;
  /** The edited flow. */
  flow: Flow;
}

/** What `save` did: `saved`, or `too-large` (the previous draft of the flow is then removed: it is stale). */
export type SaveOutcome = 'saved' | 'too-large' | 'no-room';

/** A draft larger than this (characters of JSON, ~2 bytes each in the browser) is not kept. */
export const MAX_DRAFT_CHARS = 1_000_000;
/** At most this many drafts per runtime: the oldest goes first. */
export const MAX_DRAFTS = 20;
/** Edits are written this long after the last one (each keystroke would be too often). */
export const DRAFT_SAVE_DELAY_MS = 400;

const PREFIX = 'tagflow.draft.v1 ';

/** The drafts of one runtime (by its origin, e.g. `http://edge-1:1990`) in `storage`. */
export class LocalDrafts {
  constructor(
    private readonly storage: DraftStorage,
    private readonly runtime: string,
  ) {}

  /** Keeps `flow` as flow `flowId`'s draft, based on `baseVersion`, replacing the one before. */
  save(flowId: string, flow: Flow, baseVersion: number, now: number): SaveOutcome {
    const draft: LocalDraft = { flowId, name: flow.name ?? flowId, baseVersion, savedAt: now, flow };
    const text = JSON.stringify(draft);
    if (text.length > MAX_DRAFT_CHARS) {
      this.remove(flowId);
      return 'too-large';
    }
    // Room for this one: the oldest other drafts go first, when there are too many or storage is full.
    const others = this.list().filter((d) => d.flowId !== flowId);
    const evictable = others.sort((a, b) => a.savedAt - b.savedAt);
    while (evictable.length >= MAX_DRAFTS) this.remove(evictable.shift()!.flowId);
    for (;;) {
      try {
        this.storage.setItem(this.key(flowId), text);
        return 'saved';
      } catch (err) {
        // A full storage throws QuotaExceededError: drop the oldest draft and try again.
        const oldest = evictable.shift();
        if (!oldest) {
          console.warn(`the draft of flow ${flowId} does not fit in the browser's storage`, err);
          return 'no-room';
        }
        this.remove(oldest.flowId);
      }
    }
  }

  /** Flow `flowId`'s draft, or undefined (none, or unreadable: then it is removed). */
  get(flowId: string): LocalDraft | undefined {
    return this.read(this.key(flowId));
  }

  /** Every draft of this runtime, newest first. */
  list(): LocalDraft[] {
    const keys: string[] = [];
    for (let i = 0; i < this.storage.length; i += 1) {
      const key = this.storage.key(i);
      if (key?.startsWith(this.prefix())) keys.push(key);
    }
    return keys
      .map((k) => this.read(k))
      .filter((d): d is LocalDraft => d !== undefined)
      .sort((a, b) => b.savedAt - a.savedAt);
  }

  remove(flowId: string): void {
    this.storage.removeItem(this.key(flowId));
  }

  private read(key: string): LocalDraft | undefined {
    const text = this.storage.getItem(key);
    if (text === null) return undefined;
    const draft = parseDraft(text);
    if (!draft || this.key(draft.flowId) !== key) {
      // Written by another version of the editor, or cut short: nothing to offer from it.
      console.warn(`removing an unreadable editor draft (${key})`);
      this.storage.removeItem(key);
      return undefined;
    }
    return draft;
  }

  private prefix(): string {
    return `${PREFIX}${this.runtime} `;
  }

  private key(flowId: string): string {
    return `${this.prefix()}${flowId}`;
  }
}

/** The offer shown after a reload, e.g. `Restore your undeployed changes to Line 1 (saved 5 min ago)?`. */
export function restoreQuestion(draft: LocalDraft, now: number): string {
  return `Restore your undeployed changes to ${draft.name} (saved ${ago(now - draft.savedAt)})?`;
}

/**
 * What the offer adds when the runtime moved on since the draft was made (someone deployed), or
 * no longer holds the flow; undefined when the draft is based on the running version.
 * `runningVersion` is undefined when the runtime does not hold the flow.
 */
export function staleNote(draft: LocalDraft, runningVersion: number | undefined): string | undefined {
  if (runningVersion === undefined) {
    return draft.baseVersion > 0
      ? 'The runtime no longer holds this flow: restored, it is a new flow until you deploy it.'
      : undefined;
  }
  if (draft.baseVersion === runningVersion) return undefined;
  if (draft.baseVersion === 0)
    return `The runtime now holds its own version ${runningVersion} of this flow: deploying your changes will ask which one to keep.`;
  return `Your changes were made on version ${draft.baseVersion}; the runtime now runs version ${runningVersion}. Deploying them will ask which one to keep.`;
}

function parseDraft(text: string): LocalDraft | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // Not JSON: the caller removes it and says so.
    return undefined;
  }
  if (!value || typeof value !== 'object') return undefined;
  const d = value as Partial<LocalDraft>;
  const flow = d.flow as Partial<Flow> | undefined;
  if (
    typeof d.flowId !== 'string' ||
    typeof d.name !== 'string' ||
    typeof d.baseVersion !== 'number' ||
    typeof d.savedAt !== 'number' ||
    !flow ||
    typeof flow !== 'object' ||
    !Array.isArray(flow.nodes) ||
    !Array.isArray(flow.edges)
  )
    return undefined;
  return d as LocalDraft;
}
