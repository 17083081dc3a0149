import { describe, expect, it } from 'vitest'
import { parseIndexerConfig } from '../src/config'
import { isIndexerError } from '../src/errors'

describe('parseIndexerConfig', () => {
  it('runs with no configuration at all', () => {
    const config = parseIndexerConfig({})
    expect(config).toMatchObject({
      source: 'jetstream',
      jetstream: { url: 'wss://jetstream2.us-east.bsky.network/subscribe', wantedDids: [] },
      firehose: { url: 'wss://bsky.network' },
      identity: { plcUrl: 'https://plc.directory', allowHttp: false },
      collections: [
        'app.bsky.feed.post',
        'app.bsky.feed.like',
        'app.bsky.feed.repost',
        'app.bsky.actor.profile',
      ],
      candidate: { langs: ['en'], allowUnknownLang: false, includeReplies: false },
      batch: { maxEvents: 1000, flushIntervalMs: 250 },
      status: { port: 3002, host: '127.0.0.1' },
      database: { url: undefined, pgliteDir: 'data/pglite' },
    })
    expect([...config.candidate.authors]).toEqual([])
  })

  it('reads every variable', () => {
    const config = parseIndexerConfig({
      CURIA_INDEXER_SOURCE: 'firehose',
      CURIA_JETSTREAM_URL: 'ws://127.0.0.1:6008/subscribe',
      CURIA_JETSTREAM_WANTED_DIDS: 'did:plc:a, did:plc:b',
      CURIA_FIREHOSE_URL: 'ws://localhost:2583',
      CURIA_PLC_URL: 'http://localhost:2582',
      CURIA_INDEXER_COLLECTIONS: 'app.bsky.feed.post,app.bsky.feed.like',
      CURIA_CANDIDATE_AUTHORS: 'did:plc:a,did:web:example.com',
      CURIA_CANDIDATE_LANGS: 'en, pt-BR',
      CURIA_CANDIDATE_ALLOW_UNKNOWN_LANG: 'true',
      CURIA_CANDIDATE_INCLUDE_REPLIES: '1',
      CURIA_INDEXER_BATCH_SIZE: '250',
      CURIA_INDEXER_FLUSH_MS: '50',
      CURIA_INDEXER_STATUS_PORT: '0',
      CURIA_INDEXER_STATUS_HOST: '0.0.0.0',
      DATABASE_URL: 'postgres://u@db:5432/curia',
      CURIA_DATA_DIR: '/var/curia',
    })
    expect(config).toMatchObject({
      source: 'firehose',
      jetstream: { url: 'ws://127.0.0.1:6008/subscribe', wantedDids: ['did:plc:a', 'did:plc:b'] },
      firehose: { url: 'ws://localhost:2583' },
      identity: { plcUrl: 'http://localhost:2582', allowHttp: true }, // plain-http PLC implies a local network
      collections: ['app.bsky.feed.post', 'app.bsky.feed.like'],
      candidate: { langs: ['en', 'pt-BR'], allowUnknownLang: true, includeReplies: true },
      batch: { maxEvents: 250, flushIntervalMs: 50 },
      status: { port: 0, host: '0.0.0.0' },
      database: { url: 'postgres://u@db:5432/curia', pgliteDir: '/var/curia/pglite' },
    })
    expect([...config.candidate.authors]).toEqual(['did:plc:a', 'did:web:example.com'])
  })

  it('treats a blank DATABASE_URL as unset, * as every language, and lets the http flag be forced', () => {
    const config = parseIndexerConfig({
      DATABASE_URL: ' ',
      CURIA_CANDIDATE_LANGS: '*',
      CURIA_ALLOW_HTTP_IDENTITY: 'true',
    })
    expect(config.database.url).toBeUndefined()
    expect(config.candidate.langs).toEqual([])
    expect(config.identity.allowHttp).toBe(true)
    expect(parseIndexerConfig({ CURIA_CANDIDATE_LANGS: '' }).candidate.langs).toEqual(['en'])
    expect(
      parseIndexerConfig({ CURIA_PLC_URL: 'http://x', CURIA_ALLOW_HTTP_IDENTITY: 'false' }).identity
        .allowHttp,
    ).toBe(false)
  })

  it('refuses bad values with one error naming each bad variable', () => {
    let caught: unknown
    try {
      parseIndexerConfig({
        CURIA_INDEXER_SOURCE: 'kafka',
        CURIA_JETSTREAM_URL: 'https://not-a-socket',
        CURIA_INDEXER_COLLECTIONS: 'app.bsky.graph.follow',
        CURIA_CANDIDATE_AUTHORS: 'alice.bsky.social',
        CURIA_INDEXER_BATCH_SIZE: '0',
        CURIA_INDEXER_STATUS_PORT: 'http',
        DATABASE_URL: 'mysql://x',
      })
    } catch (err) {
      caught = err
    }
    expect(isIndexerError(caught, 'invalid_config')).toBe(true)
    const message = (caught as Error).message
    for (const name of [
      'CURIA_INDEXER_SOURCE',
      'CURIA_JETSTREAM_URL',
      'CURIA_INDEXER_COLLECTIONS',
      'CURIA_CANDIDATE_AUTHORS',
      'CURIA_INDEXER_BATCH_SIZE',
      'CURIA_INDEXER_STATUS_PORT',
      'DATABASE_URL',
    ]) {
      expect(message).toContain(name)
    }
  })

  describe('CURIA_CANDIDATE_LISTS', () => {
    const list = 'at://did:plc:owner/app.bsky.graph.list/3kcurated'
    const other = 'at://did:web:example.com/app.bsky.graph.list/3kother'

    it('reads list URIs and asks for list items only when there are lists', () => {
      const config = parseIndexerConfig({ CURIA_CANDIDATE_LISTS: ` ${list},${other}, ` })
      expect([...config.candidate.lists]).toEqual([list, other])
      expect(config.collections).toContain('app.bsky.graph.listitem')
      expect(parseIndexerConfig({}).collections).not.toContain('app.bsky.graph.listitem')
      expect(parseIndexerConfig({}).candidate.lists.size).toBe(0)
    })

    it('refuses a malformed list URI, naming the variable and the expected shape', () => {
      for (const bad of [
        'at://alice.bsky.social/app.bsky.graph.list/3kcurated', // a handle, not a DID
        'at://did:plc:owner/app.bsky.graph.starterpack/3k', // not a list
        'https://bsky.app/profile/did:plc:owner/lists/3kcurated', // the web address, not the record
        'at://did:plc:owner/app.bsky.graph.list/',
      ]) {
        expect(() => parseIndexerConfig({ CURIA_CANDIDATE_LISTS: `${list},${bad}` })).toThrow(
          /CURIA_CANDIDATE_LISTS\.1: the at:\/\/ URI of a list record, at:\/\/<owner DID>\/app\.bsky\.graph\.list\/<rkey>/,
        )
      }
    })

    it('refuses settings that would keep the membership from being followed', () => {
      expect(() =>
        parseIndexerConfig({ CURIA_CANDIDATE_LISTS: list, CURIA_INDEXER_COLLECTIONS: 'app.bsky.feed.post' }),
      ).toThrow(/CURIA_INDEXER_COLLECTIONS leaves out/)
      expect(() =>
        parseIndexerConfig({ CURIA_CANDIDATE_LISTS: list, CURIA_JETSTREAM_WANTED_DIDS: 'did:plc:someone' }),
      ).toThrow(/CURIA_JETSTREAM_WANTED_DIDS leaves out did:plc:owner/)
      expect(
        parseIndexerConfig({ CURIA_CANDIDATE_LISTS: list, CURIA_JETSTREAM_WANTED_DIDS: 'did:plc:owner' })
          .jetstream.wantedDids,
      ).toEqual(['did:plc:owner'])
    })
  })
})
