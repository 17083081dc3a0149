CREATE TABLE "account" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "account_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"kind" text NOT NULL,
	"did" text,
	"market_id" bigint,
	"balance_micro" bigint DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "account_kind_check" CHECK ("account"."kind" in ('curator', 'market', 'treasury', 'mint')),
	CONSTRAINT "account_balance_nonnegative" CHECK ("account"."kind" = 'mint' or "account"."balance_micro" >= 0),
	CONSTRAINT "account_owner_check" CHECK (("account"."kind" = 'curator') = ("account"."did" is not null) and ("account"."kind" = 'market') = ("account"."market_id" is not null))
);
--> statement-breakpoint
CREATE TABLE "ledger_entry" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "ledger_entry_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"from_account" bigint NOT NULL,
	"to_account" bigint NOT NULL,
	"amount_micro" bigint NOT NULL,
	"reason" text NOT NULL,
	"reference" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "ledger_entry_amount_positive" CHECK ("ledger_entry"."amount_micro" > 0),
	CONSTRAINT "ledger_entry_distinct_accounts" CHECK ("ledger_entry"."from_account" <> "ledger_entry"."to_account"),
	CONSTRAINT "ledger_entry_reason_check" CHECK ("ledger_entry"."reason" in ('treasury_funding', 'starting_grant', 'human_grant', 'market_fee', 'market_subsidy', 'trade_buy', 'trade_sell', 'settlement_payout', 'settlement_refund', 'settlement_remainder'))
);
--> statement-breakpoint
CREATE TABLE "market" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "market_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"post_uri" text NOT NULL,
	"liquidity_micro" bigint NOT NULL,
	"q_yes_micro" bigint DEFAULT 0 NOT NULL,
	"q_no_micro" bigint DEFAULT 0 NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"resolved_outcome" text,
	"subsidy_micro" bigint NOT NULL,
	"fee_micro" bigint DEFAULT 0 NOT NULL,
	"created_by" text,
	"opened_at" timestamp with time zone NOT NULL,
	"closes_at" timestamp with time zone NOT NULL,
	"settled_at" timestamp with time zone,
	"trade_count" integer DEFAULT 0 NOT NULL,
	"trader_count" integer DEFAULT 0 NOT NULL,
	"volume_micro" bigint DEFAULT 0 NOT NULL,
	"last_trade_at" timestamp with time zone,
	CONSTRAINT "market_status_check" CHECK ("market"."status" in ('open', 'closed', 'settled', 'void')),
	CONSTRAINT "market_liquidity_positive" CHECK ("market"."liquidity_micro" > 0),
	CONSTRAINT "market_q_nonnegative" CHECK ("market"."q_yes_micro" >= 0 and "market"."q_no_micro" >= 0),
	CONSTRAINT "market_resolution_check" CHECK (("market"."status" = 'settled') = ("market"."resolved_outcome" is not null) and "market"."resolved_outcome" in ('yes', 'no'))
);
--> statement-breakpoint
CREATE TABLE "position" (
	"market_id" bigint NOT NULL,
	"account_id" bigint NOT NULL,
	"yes_shares_micro" bigint DEFAULT 0 NOT NULL,
	"no_shares_micro" bigint DEFAULT 0 NOT NULL,
	"spent_micro" bigint DEFAULT 0 NOT NULL,
	"received_micro" bigint DEFAULT 0 NOT NULL,
	"net_spend_micro" bigint GENERATED ALWAYS AS (spent_micro - received_micro) STORED NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "position_market_id_account_id_pk" PRIMARY KEY("market_id","account_id"),
	CONSTRAINT "position_shares_nonnegative" CHECK ("position"."yes_shares_micro" >= 0 and "position"."no_shares_micro" >= 0)
);
--> statement-breakpoint
CREATE TABLE "trade" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "trade_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"market_id" bigint NOT NULL,
	"account_id" bigint NOT NULL,
	"side" text NOT NULL,
	"outcome" text NOT NULL,
	"shares_micro" bigint NOT NULL,
	"money_micro" bigint NOT NULL,
	"yes_price_before" double precision NOT NULL,
	"yes_price_after" double precision NOT NULL,
	"q_yes_after_micro" bigint NOT NULL,
	"q_no_after_micro" bigint NOT NULL,
	"idempotency_key" text NOT NULL,
	"request_fingerprint" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "trade_side_check" CHECK ("trade"."side" in ('buy', 'sell')),
	CONSTRAINT "trade_outcome_check" CHECK ("trade"."outcome" in ('yes', 'no')),
	CONSTRAINT "trade_amounts_positive" CHECK ("trade"."shares_micro" > 0 and "trade"."money_micro" > 0)
);
--> statement-breakpoint
ALTER TABLE "ledger_entry" ADD CONSTRAINT "ledger_entry_from_account_account_id_fk" FOREIGN KEY ("from_account") REFERENCES "public"."account"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ledger_entry" ADD CONSTRAINT "ledger_entry_to_account_account_id_fk" FOREIGN KEY ("to_account") REFERENCES "public"."account"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "position" ADD CONSTRAINT "position_market_id_market_id_fk" FOREIGN KEY ("market_id") REFERENCES "public"."market"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "position" ADD CONSTRAINT "position_account_id_account_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."account"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "trade" ADD CONSTRAINT "trade_market_id_market_id_fk" FOREIGN KEY ("market_id") REFERENCES "public"."market"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "trade" ADD CONSTRAINT "trade_account_id_account_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."account"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "account_curator_did_key" ON "account" USING btree ("did") WHERE "account"."kind" = 'curator';--> statement-breakpoint
CREATE UNIQUE INDEX "account_market_id_key" ON "account" USING btree ("market_id") WHERE "account"."kind" = 'market';--> statement-breakpoint
CREATE UNIQUE INDEX "account_singleton_kind_key" ON "account" USING btree ("kind") WHERE "account"."kind" in ('treasury', 'mint');--> statement-breakpoint
CREATE UNIQUE INDEX "ledger_entry_once_key" ON "ledger_entry" USING btree ("reason","reference") WHERE "ledger_entry"."reason" in ('treasury_funding', 'starting_grant', 'human_grant', 'market_fee', 'market_subsidy');--> statement-breakpoint
CREATE INDEX "ledger_entry_from_idx" ON "ledger_entry" USING btree ("from_account");--> statement-breakpoint
CREATE INDEX "ledger_entry_to_idx" ON "ledger_entry" USING btree ("to_account");--> statement-breakpoint
CREATE UNIQUE INDEX "market_post_uri_key" ON "market" USING btree ("post_uri");--> statement-breakpoint
CREATE INDEX "market_open_closes_at_idx" ON "market" USING btree ("closes_at") WHERE "market"."status" = 'open';--> statement-breakpoint
CREATE INDEX "position_account_idx" ON "position" USING btree ("account_id");--> statement-breakpoint
CREATE UNIQUE INDEX "trade_account_idempotency_key" ON "trade" USING btree ("account_id","idempotency_key");--> statement-breakpoint
CREATE INDEX "trade_market_id_idx" ON "trade" USING btree ("market_id","id");