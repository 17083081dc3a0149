import type { FeedPostRef, FeedPostView } from './feed-types'

/**
 * Every remote image a post's card can load (`PostCard`: the author's avatar, the post's images, a link card's
 * thumbnail, and the avatar and images of the post it quotes or replies to), in the card's order, without repeats.
 *
 * The ballot page loads these for every sampled post before it shows the juror's assigned ones: otherwise the image
 * host (Bluesky's CDN by default) would see one address fetch exactly the images of that juror's posts, and since
 * anyone can recompute each published nullifier's assignment after close, that set would name the juror's ballot.
 */
export function cardImageUrls(post: FeedPostView): string[] {
  const urls = [
    post.author.avatarUrl,
    ...post.images.map((i) => i.url),
    post.external?.thumbUrl ?? null,
    ...referenceImageUrls(post.replyParent),
    ...referenceImageUrls(post.quote),
  ]
  return [...new Set(urls.filter((u): u is string => u !== null))]
}

function referenceImageUrls(ref: FeedPostRef | null): (string | null)[] {
  if (!ref?.post || !ref.author) return []
  return [ref.author.avatarUrl, ...ref.post.images.map((i) => i.url)]
}
