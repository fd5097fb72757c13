/**
 * The editor's state logic: pure TypeScript, no React, no DOM. The UI (src/ui/) renders what
 * these return and calls them on user actions.
 */
export { catalogFromApi } from './api-catalog';
export type {
  ApiNodeType,
  ApiResourceType,
  EditorCatalog,
  EditorNodeTypeInfo,
  NodesApiResponse,
  PackageRef,
} from './api-catalog';
export { canvasToFlow, flowToCanvas, graphDepths, layoutMissing, LAYOUT } from './canvas';
export type { CanvasDoc, CanvasEdge, CanvasNode, FlowMeta, Position } from './canvas';
export { CLIPBOARD_MARKER } from './clipboard';
export type { ClipboardContent } from './clipboard';
export { checkConnection } from './connection';
export {
  addGroup,
  GROUP_COLOURS,
  GROUP_PADDING,
  groupBounds,
  groupMove,
  groupOf,
  pruneGroups,
  removeGroups,
  uniqueGroupId,
} from './groups';
export type { Rect } from './groups';
export { FIT_PADDING_PX, MAX_FIT_ZOOM, MIN_FIT_ZOOM, readableZoom, TIGHT_PADDING_PX } from './canvas-view';
export type { Connection } from './connection';
export { DEBUG_LOG_CAPACITY, DebugLog } from './debug-log';
export type { DebugEvent, DebugFilter } from './debug-log';
export { defaultEntryText } from './debug-log';
export { childPath, previewValue, treeChildren } from './debug-tree';
export { NODE_ERROR_WINDOW_MS, NodeErrorTally } from './node-errors';
export type { RecentErrors } from './node-errors';
export type { TreeChild } from './debug-tree';
export { deployDiff, diffEdgeWords, diffNodeNames } from './deploy-diff';
export { deployRefusal, NO_REFUSAL, standingRefusals } from './deploy-refusals';
export type { DeployRefusal, RefusalIssue } from './deploy-refusals';
export { issueText, problemEntries } from './problem-list';
export type { ProblemEntry } from './problem-list';
export type { DeployDiff } from './deploy-diff';
export { DEFAULT_PASTE_OFFSET, FlowDocument, HISTORY_LIMIT, nextNodeId } from './flow-document';
export type { EditResult, MoveOptions, Refused } from './flow-document';
export { CATEGORY_ORDER, paletteGroups } from './palette';
export type { PaletteGroup } from './palette';
export {
  DEFAULT_SERIES_MAX_POINTS,
  DEFAULT_SERIES_WINDOW_MS,
  numericValue,
  seriesKey,
  SeriesStore,
  shapeOfKind,
} from './series-store';
export type { PortSample, SeriesPoint, SeriesShape, SeriesStoreOptions } from './series-store';
export { fieldMessage, indexIssues, pointerToFieldPath, validate } from './validate';
export { ServerCheck, withServerIssues } from './server-check';
export type { CheckTimers, ServerValidation } from './server-check';
export type { ValidationIssue, ValidationResult } from './validate';
export {
  debugValue,
  fillTagTemplate,
  HISTORIAN_OUT,
  historyBucketMs,
  historyLookup,
  historyPoints,
  historyTagFor,
} from './history';
export type { HistoryRow, HistorySource, HistoryTag, NoHistoryReason } from './history';
export { ago, END_NOTICE_MAX_AGE_MS, endNoticeText, engineActivity, EngineWatch, safeModeText } from './engine-state';
export type { EndNotice, EndOutcome, EngineView } from './engine-state';
export { bindingLabel, parseAllowInput, secretsFromApi } from './secret-binding';
export type { SecretInfo } from './secret-binding';
export { fieldVariables, variableNamesIn, variablesFromApi } from './variables';
export type { FieldVariable } from './variables';
export { CONTEXT_PREVIEW_CHARS, contextPreview, scopeSummary, sizeText } from './context-view';
export type { ContextScopeView } from './context-view';
export { exportFileName, MAX_SLUG_LENGTH, slugify, uniqueFlowId } from './flow-slug';
export { FIRST_FLOW_NAME, flowToDeploy, FlowTabs, hasUndeployedWork, isDirty, tabName, tabState } from './flow-tabs';
export type { FlowTab, TabState, TabsResult } from './flow-tabs';
export { frameFlowId, statusIsFor } from './flow-frames';
export { isNodeRedExport } from './nodered-file';
export {
  closeSubflow,
  makeSubflow,
  openSubflow,
  SUBFLOW_CATEGORY,
  subflowIdOf,
  subflowTypeInfo,
  withSubflowTypes,
} from './subflows';
export type { MadeSubflow } from './subflows';
export { gzip, tarArchive } from './tar-gzip';
export {
  DRAFT_SAVE_DELAY_MS,
  LocalDrafts,
  MAX_DRAFT_CHARS,
  MAX_DRAFTS,
  restoreQuestion,
  staleNote,
} from './local-drafts';
export type { DraftStorage, LocalDraft, SaveOutcome } from './local-drafts';
export { deployButtonName, deployButtonText, NO_CHANGES, undeployedChanges } from './undeployed-changes';
export type { NodeChange, UndeployedChanges } from './undeployed-changes';
