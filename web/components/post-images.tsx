import type { CSSProperties } from 'react'
import type { FeedImageView } from '../lib/feed-types'

/**
 * A post's images in Bluesky's layouts (1 at its own shape, 2 side by side, 3 as one tall and two stacked, 4 in
 * a grid). Alt text is the image's `alt` for screen readers and, for everyone else, behind an ALT badge.
 */
export function PostImages({ images }: { images: readonly FeedImageView[] }) {
  if (images.length === 0) return null
  if (images.length === 1) {
    const [image] = images as [FeedImageView]
    // Very tall or very wide images are cropped to a range that keeps the feed scannable.
    const ratio = image.aspectRatio
      ? clamp(image.aspectRatio.width / image.aspectRatio.height, 0.75, 2.5)
      : 1.5
    return (
      <div className="mt-3">
        <ImageTile image={image} style={{ aspectRatio: ratio }} />
      </div>
    )
  }
  if (images.length === 3) {
    const [a, b, c] = images as [FeedImageView, FeedImageView, FeedImageView]
    return (
      <div className="mt-3 grid aspect-[3/2] grid-cols-2 grid-rows-2 gap-1">
        <ImageTile image={a} className="row-span-2" />
        <ImageTile image={b} />
        <ImageTile image={c} />
      </div>
    )
  }
  return (
    <div className={`mt-3 grid grid-cols-2 gap-1 ${images.length === 2 ? 'aspect-[2/1]' : 'aspect-[3/2]'}`}>
      {images.map((image, i) => (
        <ImageTile key={i} image={image} />
      ))}
    </div>
  )
}

function ImageTile({
  image,
  className = '',
  style,
}: {
  image: FeedImageView
  className?: string
  style?: CSSProperties
}) {
  return (
    <figure
      className={`relative min-h-0 overflow-hidden rounded-xl border border-zinc-200 bg-zinc-100 dark:border-zinc-800 dark:bg-zinc-900 ${className}`}
      style={style}
    >
      <a
        href={image.url}
        target="_blank"
        rel="noopener noreferrer"
        className="block size-full focus-visible:outline-2 focus-visible:-outline-offset-2 focus-visible:outline-sky-600"
      >
        {/* A plain <img>: blobs are served by the configured CDN or PDS, not re-encoded by this server. */}
        <img
          src={image.url}
          alt={image.alt}
          loading="lazy"
          decoding="async"
          referrerPolicy="no-referrer"
          width={image.aspectRatio?.width}
          height={image.aspectRatio?.height}
          className="size-full object-cover"
        />
      </a>
      {image.alt ? (
        <details className="group absolute bottom-2 left-2 max-w-[calc(100%-1rem)]">
          <summary className="inline-flex cursor-pointer list-none items-center rounded-md bg-black/75 px-1.5 py-0.5 text-[11px] font-bold tracking-wider text-white select-none hover:bg-black/90 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-white [&::-webkit-details-marker]:hidden">
            ALT<span className="sr-only"> text: show the image description</span>
          </summary>
          <figcaption className="absolute bottom-full left-0 mb-1.5 max-h-48 w-72 max-w-[calc(100vw-6rem)] overflow-auto rounded-lg bg-black/85 p-2.5 text-sm leading-snug break-words whitespace-pre-wrap text-white shadow-lg">
            {image.alt}
          </figcaption>
        </details>
      ) : null}
    </figure>
  )
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value))
}
