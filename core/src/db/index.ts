export { connectDatabase, type Database, type DatabaseSettings } from './connect';
export { migrateToLatest } from './migrate';
export { EventPartitions } from './partitions';
export { columnBindings } from './array-bindings';
export { jsonColumn } from './json-column';
