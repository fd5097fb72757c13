export { convertNodeRedFlows } from './convert-flows';
export type { ConvertOptions, ConvertResult, ImportedFlow } from './convert-flows';
export type { ImportOutcome, ImportReport, ImportReportEntry } from './import-report';
export { renderReportMarkdown, summarizeReport } from './import-report';
export { readNodeRedExport } from './nodered-export';
export type { NodeRedObject } from './nodered-export';
export type { SubflowDef } from './subflow-def';
export { ENV_FIELD, OUTPUT_FIELD, scanFunctionCode, wrapFunctionCode } from './function-code';
export type { CodeNote } from './function-code';
