CREATE TABLE "jury_ballot" (
	"round_id" bigint NOT NULL,
	"nullifier" text NOT NULL,
	"proof" jsonb NOT NULL,
	"content" text NOT NULL,
	CONSTRAINT "jury_ballot_round_id_nullifier_pk" PRIMARY KEY("round_id","nullifier"),
	CONSTRAINT "jury_ballot_nullifier_decimal" CHECK ("jury_ballot"."nullifier" ~ '^(0|[1-9][0-9]{0,77})$')
);
--> statement-breakpoint
CREATE TABLE "jury_group" (
	"id" integer PRIMARY KEY NOT NULL,
	"version" integer NOT NULL,
	"size" integer NOT NULL,
	"root" text,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "jury_group_singleton" CHECK ("jury_group"."id" = 1),
	CONSTRAINT "jury_group_version_is_size" CHECK ("jury_group"."version" = "jury_group"."size"),
	CONSTRAINT "jury_group_root_present" CHECK (("jury_group"."size" = 0) = ("jury_group"."root" is null))
);
--> statement-breakpoint
CREATE TABLE "jury_group_root" (
	"version" integer PRIMARY KEY NOT NULL,
	"root" text NOT NULL,
	"size" integer NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "jury_group_root_version_is_size" CHECK ("jury_group_root"."version" = "jury_group_root"."size" and "jury_group_root"."size" > 0),
	CONSTRAINT "jury_group_root_decimal" CHECK ("jury_group_root"."root" ~ '^(0|[1-9][0-9]{0,77})$')
);
--> statement-breakpoint
CREATE TABLE "jury_member" (
	"leaf_index" integer PRIMARY KEY NOT NULL,
	"commitment" text NOT NULL,
	"admitted_at" timestamp with time zone NOT NULL,
	CONSTRAINT "jury_member_commitment_decimal" CHECK ("jury_member"."commitment" ~ '^(0|[1-9][0-9]{0,77})$'),
	CONSTRAINT "jury_member_leaf_index_nonnegative" CHECK ("jury_member"."leaf_index" >= 0)
);
--> statement-breakpoint
CREATE TABLE "jury_round" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "jury_round_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"status" text DEFAULT 'committed' NOT NULL,
	"scope" text NOT NULL,
	"opened_at" timestamp with time zone NOT NULL,
	"window_starts_at" timestamp with time zone NOT NULL,
	"window_ends_at" timestamp with time zone NOT NULL,
	"voting_ms" bigint NOT NULL,
	"root_version" integer NOT NULL,
	"root" text,
	"params" jsonb NOT NULL,
	"seed_commitment" text NOT NULL,
	"beacon" jsonb NOT NULL,
	"frozen_at" timestamp with time zone,
	"seed" text,
	"mixed_seed" text,
	"revealed_at" timestamp with time zone,
	"voting_ends_at" timestamp with time zone,
	"closed_at" timestamp with time zone,
	"export_root" text,
	"settled_at" timestamp with time zone,
	CONSTRAINT "jury_round_status_check" CHECK ("jury_round"."status" in ('committed', 'frozen', 'voting', 'closed')),
	CONSTRAINT "jury_round_window_check" CHECK ("jury_round"."window_starts_at" < "jury_round"."window_ends_at"),
	CONSTRAINT "jury_round_seed_commitment_hex" CHECK ("jury_round"."seed_commitment" ~ '^0x[0-9a-f]{64}$'),
	CONSTRAINT "jury_round_root_present" CHECK (("jury_round"."root_version" = 0) = ("jury_round"."root" is null)),
	CONSTRAINT "jury_round_progress" CHECK (("jury_round"."status" = 'committed') = ("jury_round"."frozen_at" is null)
          and ("jury_round"."status" in ('committed', 'frozen')) = ("jury_round"."seed" is null)
          and ("jury_round"."seed" is null) = ("jury_round"."mixed_seed" is null)
          and ("jury_round"."seed" is null) = ("jury_round"."voting_ends_at" is null)
          and ("jury_round"."status" = 'closed') = ("jury_round"."closed_at" is not null)
          and ("jury_round"."status" = 'closed') = ("jury_round"."export_root" is not null)
          and ("jury_round"."settled_at" is null or "jury_round"."status" = 'closed'))
);
--> statement-breakpoint
CREATE TABLE "jury_round_market" (
	"round_id" bigint NOT NULL,
	"market_id" bigint NOT NULL,
	"post_uri" text NOT NULL,
	"exposure" bigint NOT NULL,
	"probability" double precision,
	"sampled" boolean,
	"endorse_votes" integer,
	"reject_votes" integer,
	"abstain_votes" integer,
	"verdict" text,
	CONSTRAINT "jury_round_market_round_id_market_id_pk" PRIMARY KEY("round_id","market_id"),
	CONSTRAINT "jury_round_market_exposure_nonnegative" CHECK ("jury_round_market"."exposure" >= 0),
	CONSTRAINT "jury_round_market_verdict_check" CHECK ("jury_round_market"."verdict" in ('endorse', 'reject', 'void')),
	CONSTRAINT "jury_round_market_verdict_sampled" CHECK ("jury_round_market"."verdict" is null or "jury_round_market"."sampled")
);
--> statement-breakpoint
CREATE TABLE "jury_round_secret" (
	"round_id" bigint PRIMARY KEY NOT NULL,
	"seed" text NOT NULL
);
--> statement-breakpoint
ALTER TABLE "jury_ballot" ADD CONSTRAINT "jury_ballot_round_id_jury_round_id_fk" FOREIGN KEY ("round_id") REFERENCES "public"."jury_round"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "jury_round_market" ADD CONSTRAINT "jury_round_market_round_id_jury_round_id_fk" FOREIGN KEY ("round_id") REFERENCES "public"."jury_round"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "jury_round_market" ADD CONSTRAINT "jury_round_market_market_id_market_id_fk" FOREIGN KEY ("market_id") REFERENCES "public"."market"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "jury_round_secret" ADD CONSTRAINT "jury_round_secret_round_id_jury_round_id_fk" FOREIGN KEY ("round_id") REFERENCES "public"."jury_round"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "jury_group_root_root_idx" ON "jury_group_root" USING btree ("root");--> statement-breakpoint
CREATE UNIQUE INDEX "jury_member_commitment_key" ON "jury_member" USING btree ("commitment");--> statement-breakpoint
CREATE UNIQUE INDEX "jury_round_window_starts_at_key" ON "jury_round" USING btree ("window_starts_at");--> statement-breakpoint
CREATE INDEX "jury_round_status_idx" ON "jury_round" USING btree ("status");--> statement-breakpoint
CREATE UNIQUE INDEX "jury_round_market_market_key" ON "jury_round_market" USING btree ("market_id");