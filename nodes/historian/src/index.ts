export { default as historian, localStoreFile } from './historian.resource';
export { default as historianOut } from './historian-out.node';
export { default as historianQuery } from './historian-query.node';
export { LocalStore } from './local-store';
export type { LocalRetention } from './local-store';
export type { HistorianStore, HistoryQuery, HistoryPoint, HistoryBucket, HistoryResult } from './historian-store';
export type { HistoryRow } from './history-row';
export { rowsFromMessage } from './rows-from-message';
