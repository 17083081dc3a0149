CREATE TABLE "candidate_list_item" (
	"uri" text PRIMARY KEY NOT NULL,
	"list_uri" text NOT NULL,
	"subject_did" text NOT NULL,
	"indexed_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "candidate_list_item_list_uri_idx" ON "candidate_list_item" USING btree ("list_uri");