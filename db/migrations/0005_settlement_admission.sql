CREATE TABLE "market_settlement" (
	"market_id" bigint PRIMARY KEY NOT NULL,
	"resolution" text NOT NULL,
	"cause" text NOT NULL,
	"round_id" bigint,
	"escrow_micro" bigint NOT NULL,
	"paid_micro" bigint NOT NULL,
	"clawed_back_micro" bigint NOT NULL,
	"uncollected_micro" bigint NOT NULL,
	"haircut_micro" bigint NOT NULL,
	"remainder_micro" bigint NOT NULL,
	"positions" integer NOT NULL,
	"settled_at" timestamp with time zone NOT NULL,
	CONSTRAINT "market_settlement_resolution_check" CHECK ("market_settlement"."resolution" in ('yes', 'no', 'void')),
	CONSTRAINT "market_settlement_cause_check" CHECK ("market_settlement"."cause" in ('verdict', 'no_quorum', 'unsampled')),
	CONSTRAINT "market_settlement_cause_resolution_check" CHECK (("market_settlement"."cause" = 'verdict') = ("market_settlement"."resolution" in ('yes', 'no'))),
	CONSTRAINT "market_settlement_conserved" CHECK ("market_settlement"."escrow_micro" + "market_settlement"."clawed_back_micro" = "market_settlement"."paid_micro" + "market_settlement"."remainder_micro"),
	CONSTRAINT "market_settlement_amounts_nonnegative" CHECK ("market_settlement"."escrow_micro" >= 0 and "market_settlement"."paid_micro" >= 0 and "market_settlement"."clawed_back_micro" >= 0 and "market_settlement"."uncollected_micro" >= 0
          and "market_settlement"."haircut_micro" >= 0 and "market_settlement"."remainder_micro" >= 0)
);
--> statement-breakpoint
CREATE TABLE "position_settlement" (
	"market_id" bigint NOT NULL,
	"account_id" bigint NOT NULL,
	"owed_micro" bigint NOT NULL,
	"paid_micro" bigint NOT NULL,
	CONSTRAINT "position_settlement_market_id_account_id_pk" PRIMARY KEY("market_id","account_id"),
	CONSTRAINT "position_settlement_bounded" CHECK (("position_settlement"."owed_micro" >= 0 and "position_settlement"."paid_micro" between 0 and "position_settlement"."owed_micro")
          or ("position_settlement"."owed_micro" < 0 and "position_settlement"."paid_micro" between "position_settlement"."owed_micro" and 0))
);
--> statement-breakpoint
CREATE TABLE "juror_allowlist" (
	"did" text PRIMARY KEY NOT NULL,
	"note" text,
	"added_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "juror_binding" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "juror_binding_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"verifier" text NOT NULL,
	"person_key" text NOT NULL,
	"commitment" text NOT NULL,
	"admitted_at" timestamp with time zone NOT NULL,
	"member_added_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "juror_binding_verifier_check" CHECK ("juror_binding"."verifier" in ('allowlist', 'invite', 'personhood'))
);
--> statement-breakpoint
CREATE TABLE "juror_invite" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "juror_invite_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"code_hash" text NOT NULL,
	"inviter_binding_id" bigint,
	"created_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone,
	"used_by_binding_id" bigint,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "juror_invite_used_check" CHECK (("juror_invite"."used_at" is null) = ("juror_invite"."used_by_binding_id" is null))
);
--> statement-breakpoint
CREATE TABLE "siwe_nonce" (
	"nonce" text PRIMARY KEY NOT NULL,
	"issued_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "market_settlement" ADD CONSTRAINT "market_settlement_market_id_market_id_fk" FOREIGN KEY ("market_id") REFERENCES "public"."market"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "position_settlement" ADD CONSTRAINT "position_settlement_market_id_market_id_fk" FOREIGN KEY ("market_id") REFERENCES "public"."market"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "position_settlement" ADD CONSTRAINT "position_settlement_account_id_account_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."account"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "juror_invite" ADD CONSTRAINT "juror_invite_inviter_binding_id_juror_binding_id_fk" FOREIGN KEY ("inviter_binding_id") REFERENCES "public"."juror_binding"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "juror_invite" ADD CONSTRAINT "juror_invite_used_by_binding_id_juror_binding_id_fk" FOREIGN KEY ("used_by_binding_id") REFERENCES "public"."juror_binding"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "market_settlement_round_idx" ON "market_settlement" USING btree ("round_id");--> statement-breakpoint
CREATE INDEX "position_settlement_account_idx" ON "position_settlement" USING btree ("account_id");--> statement-breakpoint
CREATE UNIQUE INDEX "juror_binding_person_key" ON "juror_binding" USING btree ("person_key");--> statement-breakpoint
CREATE UNIQUE INDEX "juror_binding_commitment_key" ON "juror_binding" USING btree ("commitment");--> statement-breakpoint
CREATE UNIQUE INDEX "juror_invite_code_hash_key" ON "juror_invite" USING btree ("code_hash");--> statement-breakpoint
CREATE UNIQUE INDEX "juror_invite_used_by_key" ON "juror_invite" USING btree ("used_by_binding_id");--> statement-breakpoint
CREATE INDEX "juror_invite_inviter_idx" ON "juror_invite" USING btree ("inviter_binding_id","created_at");--> statement-breakpoint
CREATE INDEX "siwe_nonce_expires_at_idx" ON "siwe_nonce" USING btree ("expires_at");