export * from './post'
export * from './indexer'
export * from './feed'
