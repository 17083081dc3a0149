DROP INDEX "juror_binding_person_key";--> statement-breakpoint
ALTER TABLE "juror_binding" DROP COLUMN "person_key";--> statement-breakpoint
ALTER TABLE "juror_binding" ADD CONSTRAINT "juror_binding_wallet_check" CHECK (("juror_binding"."verifier" = 'personhood') = ("juror_binding"."wallet" is not null));--> statement-breakpoint
ALTER TABLE "juror_binding" ADD CONSTRAINT "juror_binding_wallet_format_check" CHECK ("juror_binding"."wallet" ~ '^0x[0-9a-f]{40}$');--> statement-breakpoint
ALTER TABLE "juror_binding" ADD CONSTRAINT "juror_binding_did_check" CHECK ("juror_binding"."did" is not null or "juror_binding"."verifier" = 'personhood');