import { describe, expect, it } from 'vitest'
import { loopbackRedirect } from '../server/loopback'

const PUBLIC = 'http://127.0.0.1:3000'
const navigation = (host: string | null, path = '/', init: { method?: string; mode?: string } = {}) => {
  const headers = new Headers({ 'sec-fetch-mode': init.mode ?? 'navigate' })
  if (host !== null) headers.set('host', host)
  return { url: new URL(`http://${host ?? 'x'}${path}`), method: init.method ?? 'GET', headers }
}

describe('loopbackRedirect', () => {
  it("sends a browser's navigation to localhost on the public port to the same path and query on 127.0.0.1", () => {
    expect(loopbackRedirect(navigation('localhost:3000', '/post/x?tab=trades'), PUBLIC)).toBe(
      'http://127.0.0.1:3000/post/x?tab=trades',
    )
  })

  it('leaves the public host, other ports, other names and https deployments alone', () => {
    expect(loopbackRedirect(navigation('127.0.0.1:3000'), PUBLIC)).toBeNull()
    expect(loopbackRedirect(navigation('localhost:8080'), PUBLIC)).toBeNull()
    expect(loopbackRedirect(navigation('curia.example'), 'https://curia.example')).toBeNull()
    expect(loopbackRedirect(navigation('localhost:443'), 'https://curia.example')).toBeNull()
    expect(loopbackRedirect(navigation(null), PUBLIC)).toBeNull()
  })

  it("leaves what is not a browser's page navigation alone: Next.js's own fetches, posts, scripts", () => {
    expect(loopbackRedirect(navigation('localhost:3000', '/', { mode: 'cors' }), PUBLIC)).toBeNull()
    expect(loopbackRedirect(navigation('localhost:3000', '/', { method: 'POST' }), PUBLIC)).toBeNull()
    const internal = navigation('localhost:3000')
    internal.headers.delete('sec-fetch-mode')
    expect(loopbackRedirect(internal, PUBLIC)).toBeNull()
  })
})
