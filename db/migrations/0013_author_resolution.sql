ALTER TABLE "author" ADD COLUMN "resolved_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "author" ADD COLUMN "resolve_failures" integer DEFAULT 0 NOT NULL;