export { default as oee } from './oee.node';
export { OeeWindow } from './oee-window';
export type { MachineState, OeeFigures } from './oee-window';
export { oeeErrors } from './error-codes';
