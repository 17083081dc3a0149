CREATE TABLE "market_post_copy" (
	"market_id" bigint PRIMARY KEY NOT NULL,
	"cid" text NOT NULL,
	"text" text NOT NULL,
	"facets" jsonb NOT NULL,
	"embed" jsonb,
	"reply_parent" text,
	"quote_uri" text,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "market_post_copy" ADD CONSTRAINT "market_post_copy_market_id_market_id_fk" FOREIGN KEY ("market_id") REFERENCES "public"."market"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
-- Markets already trading keep their post as it stands now (deleted posts have nothing left to keep).
INSERT INTO "market_post_copy" ("market_id", "cid", "text", "facets", "embed", "reply_parent", "quote_uri", "created_at")
SELECT m."id", p."cid", p."text", p."facets", p."embed", p."reply_parent", p."quote_uri", p."created_at"
FROM "market" m JOIN "post" p ON p."uri" = m."post_uri"
WHERE m."status" IN ('open', 'closed') AND p."deleted_at" IS NULL;
