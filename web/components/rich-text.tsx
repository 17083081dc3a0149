import { segmentRichText, type RichTextFacet } from '../lib/rich-text'

/**
 * Post text with its links, mentions and tags. Every run is a React text node (escaped), never HTML: a post that
 * says `<script>` shows those characters. Only facets that `segmentRichText` vouches for become links.
 */
export function RichText({ text, facets }: { text: string; facets: readonly RichTextFacet[] }) {
  const segments = segmentRichText(text, facets)
  return (
    <p className="text-[15px] leading-relaxed break-words whitespace-pre-wrap [overflow-wrap:anywhere]">
      {segments.map((segment, i) =>
        segment.kind === 'text' ? (
          segment.text
        ) : (
          <a
            key={i}
            href={segment.href}
            // Link text is the author's to choose; show where a link really goes before it is followed.
            title={segment.kind === 'link' ? segment.href : undefined}
            target="_blank"
            rel="noopener noreferrer nofollow ugc"
            className="rounded-sm text-sky-700 underline-offset-2 hover:underline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600 dark:text-sky-400"
          >
            {segment.text}
          </a>
        ),
      )}
    </p>
  )
}
