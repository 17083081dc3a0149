export {
  startIndexer,
  type Indexer,
  type IndexerStatus,
  type IndexerState,
  type StartIndexerOptions,
} from './indexer'
export { startStatusServer, type StatusServer } from './status-server'
export { parseIndexerConfig, readIndexerConfig, type IndexerConfig, type SourceKind } from './config'
export { IndexerError, isIndexerError, type IndexerErrorCode } from './errors'
export { createConsoleLogger, type IndexerLogger } from './log'
export { planBatch, type BatchPlan } from './batch'
export { writeBatch, readCursor, type WriteOutcome, type CursorUpdate } from './write'
export { mapEvent } from './records/index'
export type {
  IndexOp,
  PostRow,
  EngagementRow,
  SkipReason,
  Collection,
  MapResult,
} from '@curia/curation/records/types'
export { SKIP_REASONS, SUPPORTED_COLLECTIONS } from '@curia/curation/records/types'
export { createJetstreamSource, parseJetstreamFrame, buildJetstreamUrl } from './source/jetstream'
export { createFirehoseSource } from './source/firehose'
export type { EventSource, SourceEvent, SourceSink, SourceStatus } from './source/types'
