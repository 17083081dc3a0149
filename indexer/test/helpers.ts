import { spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { createServer } from 'node:net'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Sql } from '@curia/db'
import { parseIndexerConfig, type IndexerConfig } from '../src/config'
import type { IndexerLogger } from '../src/log'
import type { CommitEvent, EventSource, SourceEvent, SourceSink, SourceStatus } from '../src/source/types'
import { waitFor } from '@curia/db/testing'

/** Polling lives with the test database helpers, shared with curation's tests. */
export { waitFor }

export const repoRoot = resolve(fileURLToPath(import.meta.url), '../../..')

/** dev-env leaves SQLite files and blobs under os.tmpdir(): keep them in the repo's gitignored .tmp. */
export function useScratchTmpdir(): string {
  const dir = join(repoRoot, '.tmp', 'indexer-test')
  mkdirSync(dir, { recursive: true })
  process.env.TMPDIR = dir
  return dir
}

/** A port that was free a moment ago: nothing listens there (until something else takes it). */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const p = (probe.address() as { port: number }).port
      probe.close(() => resolve(p))
    })
  })
}

/** A logger that keeps lines for assertions (and echoes warnings when DEBUG_INDEXER is set). */
export function memoryLogger(): IndexerLogger & { lines: string[] } {
  const lines: string[] = []
  const echo = process.env.DEBUG_INDEXER ? (l: string) => console.log(l) : () => {}
  const push = (level: string) => (m: string) => {
    lines.push(`${level} ${m}`)
    echo(`${level} ${m}`)
  }
  return { lines, info: push('info'), warn: push('warn'), error: push('error') }
}

export function testConfig(env: Record<string, string> = {}): IndexerConfig {
  return parseIndexerConfig({ CURIA_INDEXER_BATCH_SIZE: '50', CURIA_INDEXER_FLUSH_MS: '20', ...env })
}

/** An in-process source the test pushes events into: for exercising the indexer's own logic against a real database. */
export class PushSource implements EventSource {
  readonly cursorKey = 'push'
  sink: SourceSink | undefined
  startCursor: number | undefined
  paused = false
  pauses = 0
  start(startCursor: number | undefined, sink: SourceSink) {
    this.startCursor = startCursor
    this.sink = sink
  }
  push(...events: SourceEvent[]) {
    for (const e of events) this.sink?.onEvent(e)
  }
  pause() {
    this.paused = true
    this.pauses++
  }
  resume() {
    this.paused = false
  }
  stop() {
    return Promise.resolve()
  }
  status(): SourceStatus {
    return {
      kind: 'jetstream',
      url: 'push://test',
      connected: true,
      reconnects: 0,
      paused: this.paused,
      resumeCursor: this.startCursor,
    }
  }
}

/** A CID that parses, for events whose content nobody checks against it. */
export const TEST_CID = 'bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm'

/** A post create; several with one cursor are the ops of one firehose commit (they share its seq). */
export function postCreate(opts: {
  did: string
  rkey: string
  cursor: number
  timeMs: number
  text?: string | undefined
}): CommitEvent {
  const { did, rkey, cursor, timeMs, text = `post ${rkey}` } = opts
  return {
    kind: 'commit',
    cursor,
    timeMs,
    did,
    collection: 'app.bsky.feed.post',
    rkey,
    operation: 'create',
    cid: TEST_CID,
    record: { $type: 'app.bsky.feed.post', text, langs: ['en'], createdAt: new Date(timeMs).toISOString() },
  }
}

export async function livePosts(sql: Sql): Promise<string[]> {
  const rows = await sql<{ uri: string }[]>`select uri from post where deleted_at is null order by uri`
  return rows.map((r) => r.uri)
}

export async function postCounts(
  sql: Sql,
): Promise<Record<string, { likes: number; reposts: number; deleted: boolean }>> {
  const rows = await sql<{ uri: string; like_count: number; repost_count: number; deleted: boolean }[]>`
    select uri, like_count, repost_count, deleted_at is not null as deleted from post`
  return Object.fromEntries(
    rows.map((r) => [r.uri, { likes: r.like_count, reposts: r.repost_count, deleted: r.deleted }]),
  )
}

/** The indexer exactly as `npm run -w @curia/indexer start` runs it, as its own process (node itself, so signals reach it). */
export class IndexerProcess {
  readonly output: string[] = []
  private child: ChildProcess | undefined
  private exited: Promise<number | null> | undefined

  constructor(private readonly env: Record<string, string>) {}

  start(): void {
    const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'indexer/src/main.ts')], {
      cwd: join(repoRoot, 'indexer'),
      env: { ...process.env, ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const keep = (chunk: Buffer) => {
      const lines = chunk.toString().split('\n').filter(Boolean)
      this.output.push(...lines)
      if (process.env.DEBUG_INDEXER) for (const l of lines) console.log(`[child] ${l}`)
    }
    child.stdout?.on('data', keep)
    child.stderr?.on('data', keep)
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => resolve(signal ? null : code)),
    )
    this.child = child
  }

  async kill(signal: NodeJS.Signals): Promise<number | null> {
    this.child?.kill(signal)
    const code = await this.exited
    this.child = undefined
    return code ?? null
  }

  /**
   * SIGKILL while the stream is flowing, once a cursor has committed (a first kill before anything committed would
   * restart from the live tail, by design). Resolves when the process is gone.
   */
  async killAfterCommit(sql: Sql): Promise<void> {
    await waitFor('a committed cursor', async () => (await sql`select 1 from indexer_cursor`).length > 0)
    if ((await this.kill('SIGKILL')) !== null) throw new Error('the indexer exited before it was killed')
  }

  /** Starts it again and waits until it reads the stream (from its cursor). */
  async restart(): Promise<void> {
    const from = this.output.length
    this.start()
    await this.waitForLine('reading jetstream', from)
  }

  async waitForLine(text: string, from = 0): Promise<string> {
    return waitFor(
      `"${text}" in the indexer's output`,
      () => this.output.slice(from).find((l) => l.includes(text)),
      {
        explain: () => this.output.slice(-20),
      },
    )
  }

  /** The /status URL the process announced (start it with CURIA_INDEXER_STATUS_PORT=0). */
  async statusUrl(from = 0): Promise<string> {
    const line = await this.waitForLine('status at ', from)
    return line.slice(line.indexOf('status at ') + 'status at '.length).trim()
  }
}

/**
 * Makes every write of the row whose `column` is `value` fail with SQLSTATE P0001, which is not about the data, so
 * the indexer takes it for the database being away: it holds that batch and retries it until the returned function
 * lifts the refusal. A batch that cannot commit stands for a kill -9 before it does: whatever committed before it is
 * what a restart resumes from.
 */
export async function refuseRow(sql: Sql, table: 'post' | 'author', column: 'uri' | 'did', value: string) {
  await sql.unsafe(`
    create or replace function refuse_row() returns trigger language plpgsql as $$
    begin
      if new.${column} = '${value}' then raise exception 'refused by the test'; end if;
      return new;
    end $$`)
  await sql.unsafe(
    `create trigger refuse_row before insert or update on ${table} for each row execute function refuse_row()`,
  )
  return async () => {
    await sql.unsafe(`drop trigger if exists refuse_row on ${table}`)
  }
}
