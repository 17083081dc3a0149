ALTER TABLE "jury_round" ADD COLUMN "eligible_hash" text;--> statement-breakpoint
ALTER TABLE "jury_round" ADD COLUMN "export_anchored_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "jury_round" ADD CONSTRAINT "jury_round_eligible_hash_hex" CHECK ("jury_round"."eligible_hash" is null or "jury_round"."eligible_hash" ~ '^0x[0-9a-f]{64}$');--> statement-breakpoint
ALTER TABLE "jury_round" ADD CONSTRAINT "jury_round_eligible_hash_after_freeze" CHECK ("jury_round"."status" <> 'committed' or "jury_round"."eligible_hash" is null);--> statement-breakpoint
ALTER TABLE "jury_round" ADD CONSTRAINT "jury_round_anchored_when_closed" CHECK ("jury_round"."export_anchored_at" is null or "jury_round"."status" = 'closed');