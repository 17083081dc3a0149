ALTER TABLE "juror_binding" ADD COLUMN "did" text;--> statement-breakpoint
ALTER TABLE "juror_binding" ADD COLUMN "wallet" text;--> statement-breakpoint
CREATE UNIQUE INDEX "juror_binding_did_key" ON "juror_binding" USING btree ("did");--> statement-breakpoint
CREATE UNIQUE INDEX "juror_binding_wallet_key" ON "juror_binding" USING btree ("wallet");