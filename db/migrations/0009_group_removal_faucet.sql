CREATE TABLE "faucet_claim" (
	"nullifier" text PRIMARY KEY NOT NULL,
	"did" text NOT NULL,
	"root_version" integer NOT NULL,
	"claimed_at" timestamp with time zone NOT NULL,
	CONSTRAINT "faucet_claim_nullifier_decimal" CHECK ("faucet_claim"."nullifier" ~ '^(0|[1-9][0-9]{0,77})$'),
	CONSTRAINT "faucet_claim_root_version_positive" CHECK ("faucet_claim"."root_version" > 0)
);
--> statement-breakpoint
ALTER TABLE "jury_group" DROP CONSTRAINT "jury_group_version_is_size";--> statement-breakpoint
ALTER TABLE "jury_group_root" DROP CONSTRAINT "jury_group_root_version_is_size";--> statement-breakpoint
ALTER TABLE "jury_member" ADD COLUMN "removed_version" integer;--> statement-breakpoint
ALTER TABLE "jury_member" ADD COLUMN "removed_at" timestamp with time zone;--> statement-breakpoint
CREATE UNIQUE INDEX "faucet_claim_did_key" ON "faucet_claim" USING btree ("did");--> statement-breakpoint
ALTER TABLE "jury_group" ADD CONSTRAINT "jury_group_version_covers_size" CHECK ("jury_group"."version" >= "jury_group"."size");--> statement-breakpoint
ALTER TABLE "jury_group_root" ADD CONSTRAINT "jury_group_root_version_covers_size" CHECK ("jury_group_root"."version" >= "jury_group_root"."size" and "jury_group_root"."size" > 0);--> statement-breakpoint
ALTER TABLE "jury_member" ADD CONSTRAINT "jury_member_removed_together" CHECK (("jury_member"."removed_version" is null) = ("jury_member"."removed_at" is null));--> statement-breakpoint
ALTER TABLE "jury_member" ADD CONSTRAINT "jury_member_removed_after_added" CHECK ("jury_member"."removed_version" is null or "jury_member"."removed_version" > "jury_member"."leaf_index");