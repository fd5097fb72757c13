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
export type { Connection } from './connection';
export { DEBUG_LOG_CAPACITY, DebugLog } from './debug-log';
export type { DebugEvent, DebugFilter } from './debug-log';
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
export { DEFAULT_SERIES_MAX_POINTS, DEFAULT_SERIES_WINDOW_MS, numericValue, SeriesStore } from './series-store';
export type { SeriesPoint, SeriesStoreOptions } from './series-store';
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
export { FIRST_FLOW_NAME, flowToDeploy, FlowTabs, isDirty, tabName, tabState } from './flow-tabs';
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
