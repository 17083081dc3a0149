CREATE TABLE "author" (
	"did" text PRIMARY KEY NOT NULL,
	"handle" text,
	"display_name" text,
	"avatar_cid" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "engagement" (
	"uri" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"subject_uri" text NOT NULL,
	"author_did" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "post" (
	"uri" text PRIMARY KEY NOT NULL,
	"id" bigint GENERATED ALWAYS AS IDENTITY (sequence name "post_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"cid" text NOT NULL,
	"author_did" text NOT NULL,
	"text" text NOT NULL,
	"langs" text[] DEFAULT '{}'::text[] NOT NULL,
	"facets" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"embed" jsonb,
	"reply_root" text,
	"reply_parent" text,
	"quote_uri" text,
	"created_at" timestamp with time zone NOT NULL,
	"indexed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"like_count" integer DEFAULT 0 NOT NULL,
	"repost_count" integer DEFAULT 0 NOT NULL,
	"deleted_at" timestamp with time zone,
	CONSTRAINT "post_id_unique" UNIQUE("id")
);
--> statement-breakpoint
CREATE TABLE "indexer_cursor" (
	"source" text PRIMARY KEY NOT NULL,
	"cursor" bigint NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "feed_snapshot" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "feed_snapshot_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"feed" text NOT NULL,
	"ranking" text NOT NULL,
	"post_ids" bigint[] NOT NULL,
	"scores" real[] NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "engagement_subject_uri_idx" ON "engagement" USING btree ("subject_uri");--> statement-breakpoint
CREATE INDEX "post_live_created_at_idx" ON "post" USING btree ("created_at" DESC NULLS LAST) WHERE "post"."deleted_at" is null;--> statement-breakpoint
CREATE INDEX "post_author_did_idx" ON "post" USING btree ("author_did");--> statement-breakpoint
CREATE INDEX "feed_snapshot_feed_id_idx" ON "feed_snapshot" USING btree ("feed","id" DESC NULLS LAST);