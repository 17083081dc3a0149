CREATE TABLE "operator_action" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "operator_action_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"at" timestamp with time zone NOT NULL,
	"actor" text NOT NULL,
	"action" text NOT NULL,
	"subject" text,
	"detail" jsonb NOT NULL,
	CONSTRAINT "operator_action_action_check" CHECK ("operator_action"."action" in ('allow', 'disallow', 'invite', 'revoke'))
);
--> statement-breakpoint
CREATE INDEX "operator_action_at_idx" ON "operator_action" USING btree ("at");