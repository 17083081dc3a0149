ALTER TABLE "author" ADD COLUMN "status" text;--> statement-breakpoint
ALTER TABLE "author" ADD COLUMN "status_changed_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "author_status_changed_at_idx" ON "author" USING btree ("status_changed_at") WHERE "author"."status" is not null;