/**
 * Playwright fixtures for specs against the real stack (cal.com style: specs say what, fixtures say how).
 *
 *   test('...', async ({ page, accounts, feed }) => {
 *     const alice = await accounts.create({ displayName: 'Alice' })
 *     const post = await alice.post({ text: 'hello', image: { alt: 'a square' } })
 *     await feed.waitFor([post.uri])
 *     await page.goto('/')
 *   })
 */
import { randomBytes } from 'node:crypto'
import { expect, test as base, type APIRequestContext, type Page } from '@playwright/test'
import {
  createAccount,
  devAccountPassword,
  makePost,
  squarePng,
  type DevAccount,
  type MakePostOptions,
  type StrongRef,
} from '@curia/devnet'
import { readStack, type CuriaStack } from './stack'

/** The JSON /api/feed answers (kept structural: e2e does not import the web app). */
export interface ApiFeedPost {
  uri: string
  text: string
  author: { did: string; handle: string | null; displayName: string | null; avatarUrl: string | null }
  images: { url: string; alt: string }[]
  market: { marketId: number; yesPrice: number; traderCount: number; status: string } | null
  quote: { uri: string; post: { text: string } | null } | null
}

export interface E2eAccount extends DevAccount {
  displayName: string
  post(opts: MakePostOptions): Promise<StrongRef>
  deletePost(uri: string): Promise<void>
}

export interface AccountFactory {
  /** A new account on the local PDS with a profile (display name and a generated avatar). */
  create(opts?: { displayName?: string }): Promise<E2eAccount>
}

export interface FeedClient {
  /** Every post the reader's feed serves now, walking /api/feed page by page (signed out, with `headers`). */
  all(opts?: { headers?: Record<string, string> }): Promise<ApiFeedPost[]>
  /** Waits until the feed serves every URI (and `ready` holds for each), through indexer, ranker and snapshot. */
  waitFor(uris: string[], ready?: (post: ApiFeedPost) => boolean): Promise<ApiFeedPost[]>
  /** Waits until the feed no longer serves the URI. */
  waitForGone(uri: string): Promise<void>
}

const WAIT_MS = 45_000

export const test = base.extend<{ stack: CuriaStack; accounts: AccountFactory; feed: FeedClient }>({
  // eslint-disable-next-line no-empty-pattern -- Playwright fixtures must destructure their dependencies
  stack: async ({}, use) => {
    await use(readStack())
  },
  baseURL: async ({ stack }, use) => {
    await use(stack.webUrl)
  },
  accounts: async ({ stack }, use) => {
    await use({ create: (opts) => createE2eAccount(stack.pdsUrl, opts?.displayName) })
  },
  feed: async ({ stack, request }, use) => {
    await use(feedClient(stack.webUrl, request))
  },
})

export { expect }

/** The stack's operator account (CURIA_OPERATOR_DIDS), to sign in with. */
export function operatorAccount(stack: CuriaStack): Pick<DevAccount, 'handle' | 'password'> {
  return { handle: stack.operatorHandle, password: devAccountPassword(stack.operatorHandle) }
}

/** The web app and PDS a sign-in goes through: global setup's stack unless a spec boots its own (the demo). */
type StackOrigins = Pick<CuriaStack, 'pdsUrl' | 'webUrl'>

/**
 * Signs `account` in the way a person does: Curia's sign-in page, then the local PDS's own sign-in and consent
 * pages (real OAuth: PAR, PKCE, DPoP), back to Curia signed in.
 */
export async function signIn(
  page: Page,
  account: Pick<DevAccount, 'handle' | 'password'>,
  opts: { returnTo?: string; stack?: StackOrigins } = {},
): Promise<void> {
  const query = opts.returnTo ? `?returnTo=${encodeURIComponent(opts.returnTo)}` : ''
  await page.goto(`/sign-in${query}`)
  await page.getByLabel('Your handle').fill(account.handle)
  await page.getByRole('button', { name: 'Continue' }).click()
  await approveOnPds(page, account, { stack: opts.stack })
  await expect(page.getByTestId('account-handle')).toHaveText(`@${account.handle}`)
}

/**
 * On the PDS's authorization page: the password (the handle is filled in from the login hint), then consent; by
 * default waits until the PDS has sent the browser back to Curia.
 */
export async function approveOnPds(
  page: Page,
  account: Pick<DevAccount, 'handle' | 'password'>,
  opts: { waitForCuria?: boolean; stack?: StackOrigins } = {},
): Promise<void> {
  const { pdsUrl, webUrl } = opts.stack ?? readStack()
  await page.waitForURL((url) => url.origin === new URL(pdsUrl).origin)
  await page.getByLabel('Password', { exact: true }).fill(account.password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.getByRole('button', { name: 'Authorize' }).click()
  if (opts.waitForCuria !== false) await page.waitForURL((url) => url.origin === new URL(webUrl).origin)
}

async function createE2eAccount(pdsUrl: string, displayName?: string): Promise<E2eAccount> {
  // Handles are per PDS and the network lives for the whole run: a random one keeps specs independent.
  const account = await createAccount(pdsUrl, `e2e${randomBytes(5).toString('hex')}`)
  const name = displayName ?? `E2E ${account.handle.split('.')[0]}`
  const avatar = await account.agent.uploadBlob(squarePng(48, [200, 120, 40]), { encoding: 'image/png' })
  await account.agent.com.atproto.repo.putRecord({
    repo: account.did,
    collection: 'app.bsky.actor.profile',
    rkey: 'self',
    record: { $type: 'app.bsky.actor.profile', displayName: name, avatar: avatar.data.blob },
  })
  return {
    ...account,
    displayName: name,
    post: (opts) => makePost(account, opts),
    deletePost: async (uri) => {
      await account.agent.deletePost(uri)
    },
  }
}

function feedClient(webUrl: string, request: APIRequestContext): FeedClient {
  async function all(opts: { headers?: Record<string, string> } = {}): Promise<ApiFeedPost[]> {
    const posts: ApiFeedPost[] = []
    let cursor: string | null = null
    do {
      const query: string = cursor ? `limit=50&cursor=${encodeURIComponent(cursor)}` : 'limit=50'
      const res = await request.get(`${webUrl}/api/feed?${query}`, { headers: opts.headers })
      expect(res.status(), await res.text()).toBe(200)
      const page = (await res.json()) as { posts: ApiFeedPost[]; cursor: string | null }
      posts.push(...page.posts)
      cursor = page.cursor
    } while (cursor)
    return posts
  }

  return {
    all,
    async waitFor(uris, ready = () => true) {
      let found: ApiFeedPost[] = []
      await expect
        .poll(
          async () => {
            const byUri = new Map((await all()).map((p) => [p.uri, p]))
            found = uris.map((u) => byUri.get(u)).filter((p): p is ApiFeedPost => p !== undefined && ready(p))
            return uris.filter((u) => !found.some((p) => p.uri === u))
          },
          { message: 'posts to reach the feed', timeout: WAIT_MS },
        )
        .toEqual([])
      return found
    },
    async waitForGone(uri) {
      await expect
        .poll(async () => (await all()).some((p) => p.uri === uri), {
          message: 'post to leave the feed',
          timeout: WAIT_MS,
        })
        .toBe(false)
    },
  }
}
