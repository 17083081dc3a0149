ALTER TABLE "position_settlement" DROP CONSTRAINT "position_settlement_market_id_market_id_fk";
--> statement-breakpoint
ALTER TABLE "position_settlement" DROP CONSTRAINT "position_settlement_account_id_account_id_fk";
