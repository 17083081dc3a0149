CREATE TABLE "feed_exposure" (
	"post_id" bigint PRIMARY KEY NOT NULL,
	"impressions" bigint DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "feed_snapshot" ADD COLUMN "exploration_ranks" integer[] DEFAULT '{}'::integer[] NOT NULL;