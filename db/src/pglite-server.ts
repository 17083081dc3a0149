import { createServer, type Socket } from 'node:net'
import type { AddressInfo } from 'node:net'
import type { PGlite } from '@electric-sql/pglite'

/**
 * Serves one embedded PGlite to many PostgreSQL clients over a loopback socket.
 *
 * PGlite is a single session, so clients must take turns, and a turn must be a whole unit of work: an extended-query
 * sequence (Parse/Bind/Describe/Execute ... Sync) or a simple Query, and, while a client has a transaction open,
 * everything until it ends. `@electric-sql/pglite-socket` (0.2.17) queues single protocol messages, so two clients'
 * Parse and Bind interleave ("bind message supplies 1 parameters, but prepared statement "" requires 0") under any
 * concurrency; this server queues whole turns instead. It reads the transaction state from the ReadyForQuery
 * message ('Z', status I/T/E) that ends each turn: the gate is handed on only when the session is idle again.
 */
export interface PgliteServer {
  port: number
  url: string
  close(): Promise<void>
}

const SSL_REQUEST = 80877103
const CANCEL_REQUEST = 80877102
const GSSENC_REQUEST = 80877104
/** Message types that end a turn: Sync, simple Query, Flush (the client then waits for output). */
const TURN_ENDS = new Set([0x53, 0x51, 0x48])
const TERMINATE = 0x58
const READY_FOR_QUERY = 0x5a
const ROLLBACK = simpleQuery('ROLLBACK')

function simpleQuery(text: string): Uint8Array {
  const body = Buffer.from(`${text}\0`, 'utf8')
  const msg = Buffer.alloc(5 + body.length)
  msg[0] = 0x51
  msg.writeInt32BE(4 + body.length, 1)
  body.copy(msg, 5)
  return msg
}

/** The transaction status of the last ReadyForQuery in a response, if it ends with one. */
function finalStatus(out: Uint8Array): 'I' | 'T' | 'E' | undefined {
  const n = out.length
  if (n >= 6 && out[n - 6] === READY_FOR_QUERY && out[n - 5] === 0 && out[n - 2] === 5) {
    return String.fromCharCode(out[n - 1]!) as 'I' | 'T' | 'E'
  }
  return undefined
}

/** Hands the single session to one client at a time, in arrival order. */
class Gate {
  private holder: object | undefined
  private readonly waiting: { client: object; enter: () => void }[] = []

  async enter(client: object): Promise<void> {
    if (this.holder === client) return
    if (this.holder === undefined) {
      this.holder = client
      return
    }
    await new Promise<void>((enter) => this.waiting.push({ client, enter }))
  }

  leave(client: object): void {
    if (this.holder !== client) return
    const next = this.waiting.shift()
    this.holder = next?.client
    next?.enter()
  }

  forget(client: object): void {
    const i = this.waiting.findIndex((w) => w.client === client)
    if (i !== -1) this.waiting.splice(i, 1)
    this.leave(client)
  }

  holds(client: object): boolean {
    return this.holder === client
  }
}

export async function servePglite(
  db: PGlite,
  opts: { host?: string; port?: number } = {},
): Promise<PgliteServer> {
  const gate = new Gate()
  const sockets = new Set<Socket>()

  async function run(client: object, message: Uint8Array): Promise<Uint8Array> {
    await gate.enter(client)
    const out = await db.runExclusive(() => db.execProtocolRaw(message))
    const status = finalStatus(out)
    if (status === 'I') gate.leave(client) // otherwise: in a transaction, or mid-sequence after a Flush
    return out
  }

  function onConnection(socket: Socket): void {
    sockets.add(socket)
    socket.setNoDelay(true)
    const client = {}
    let buffer: Buffer = Buffer.alloc(0)
    let started = false
    let turn: Buffer[] = []
    let chain = Promise.resolve()
    let closed = false

    const fail = (err: unknown) => {
      console.error(`pglite-server: closing a client after an error: ${(err as Error).message}`)
      socket.destroy()
    }

    const release = async () => {
      if (closed) return
      closed = true
      sockets.delete(socket)
      await chain.catch(() => {})
      if (gate.holds(client)) {
        // The client left mid-transaction: roll it back so the next client finds an idle session.
        await db.runExclusive(() => db.execProtocolRaw(ROLLBACK)).catch(() => {})
      }
      gate.forget(client)
    }

    const handle = async (data: Buffer) => {
      buffer = buffer.length === 0 ? data : Buffer.concat([buffer, data])
      for (;;) {
        if (!started) {
          if (buffer.length < 8) return
          const length = buffer.readInt32BE(0)
          const code = buffer.readInt32BE(4)
          if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
            buffer = buffer.subarray(8)
            socket.write('N')
            continue
          }
          if (buffer.length < length) return
          const message = buffer.subarray(0, length)
          buffer = buffer.subarray(length)
          if (code === CANCEL_REQUEST) {
            socket.end() // cancellation is not supported; the request connection just closes
            return
          }
          socket.write(await run(client, message))
          started = true
          continue
        }
        if (buffer.length < 5) return
        const total = 1 + buffer.readInt32BE(1)
        if (buffer.length < total) return
        const type = buffer[0]!
        const message = Buffer.from(buffer.subarray(0, total))
        buffer = buffer.subarray(total)
        if (type === TERMINATE) {
          socket.end()
          return
        }
        turn.push(message)
        if (TURN_ENDS.has(type)) {
          const whole = Buffer.concat(turn)
          turn = []
          const out = await run(client, whole)
          if (!socket.destroyed) socket.write(out)
        }
      }
    }

    socket.on('data', (data: Buffer) => {
      chain = chain.then(() => handle(data)).catch(fail)
    })
    socket.on('error', () => socket.destroy())
    socket.on('close', () => void release())
  }

  const server = createServer(onConnection)
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo
  return {
    port,
    url: `postgres://postgres@${opts.host ?? '127.0.0.1'}:${port}/postgres`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  }
}
