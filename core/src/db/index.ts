export { connectDatabase, type Database, type DatabaseSettings } from './connect';
export { migrateToLatest } from './migrate';
export { EventPartitions } from './partitions';
export { columnBindings, valueRows } from './array-bindings';
export { jsonColumn } from './json-column';
export { DatabaseSignals, SIGNALS, signalsOf, type Signal, type SignalHandler } from './signals';
export { SignalLoop, type SignalLoopOptions, type RoundOutcome } from './signal-loop';
