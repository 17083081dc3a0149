'use client'

import { useState } from 'react'

const FALLBACK_COLOURS = [
  'bg-sky-700',
  'bg-emerald-700',
  'bg-amber-700',
  'bg-rose-700',
  'bg-violet-700',
  'bg-teal-700',
] as const

/**
 * An author's avatar, or their initial on a colour derived from their DID when they have none or it fails to load
 * (a blob the CDN no longer has, an offline PDS). Decorative: the name beside it says who it is.
 */
export function Avatar({
  did,
  name,
  url,
  small = false,
}: {
  did: string
  name: string
  url: string | null
  /** The 20-pixel size quote cards use, beside the author's name. */
  small?: boolean
}) {
  const [failed, setFailed] = useState(false)
  const size = `${small ? 'size-5' : 'size-11'} shrink-0 rounded-full`
  const pixels = small ? 20 : 44
  if (url && !failed) {
    return (
      // A plain <img>, not next/image: blobs are served as-is by the configured CDN or PDS, not re-encoded here.
      <img
        src={url}
        alt=""
        width={pixels}
        height={pixels}
        loading="lazy"
        decoding="async"
        referrerPolicy="no-referrer"
        onError={() => setFailed(true)}
        className={`${size} bg-zinc-200 object-cover dark:bg-zinc-800`}
      />
    )
  }
  const initial = Array.from(name.replace(/^@/, '').trim())[0]?.toUpperCase() ?? '?'
  return (
    <span
      aria-hidden="true"
      data-testid="avatar-fallback"
      className={`${size} ${colourFor(did)} flex items-center justify-center ${small ? 'text-[11px]' : 'text-lg'} font-semibold text-white select-none`}
    >
      {initial}
    </span>
  )
}

function colourFor(did: string): string {
  let hash = 0
  for (let i = 0; i < did.length; i++) hash = (hash * 31 + did.charCodeAt(i)) >>> 0
  return FALLBACK_COLOURS[hash % FALLBACK_COLOURS.length] ?? 'bg-sky-700'
}
