import { describe, expect, it } from 'vitest'
import { loopbackRedirect } from '../server/loopback'

const at = (path: string) => new URL(`http://localhost:3000${path}`)

describe('loopbackRedirect', () => {
  it('sends localhost on the public port to the same path and query on 127.0.0.1', () => {
    expect(loopbackRedirect(at('/post/x?tab=trades'), 'localhost:3000', 'http://127.0.0.1:3000')).toBe(
      'http://127.0.0.1:3000/post/x?tab=trades',
    )
  })

  it('leaves the public host, other ports, other names and https deployments alone', () => {
    expect(loopbackRedirect(at('/'), '127.0.0.1:3000', 'http://127.0.0.1:3000')).toBeNull()
    expect(loopbackRedirect(at('/'), 'localhost:8080', 'http://127.0.0.1:3000')).toBeNull()
    expect(loopbackRedirect(at('/'), 'curia.example', 'https://curia.example')).toBeNull()
    expect(loopbackRedirect(at('/'), 'localhost:443', 'https://curia.example')).toBeNull()
    expect(loopbackRedirect(at('/'), null, 'http://127.0.0.1:3000')).toBeNull()
    expect(loopbackRedirect(at('/'), 'bad host:/', 'http://127.0.0.1:3000')).toBeNull()
  })
})
