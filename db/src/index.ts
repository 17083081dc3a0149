export * from './schema/index'
export * from './client'
export { sql as dsql, and, eq, desc, asc, inArray, isNull, gt, lt } from 'drizzle-orm'
