CREATE TABLE "curator" (
	"did" text PRIMARY KEY NOT NULL,
	"handle" text,
	"first_sign_in_at" timestamp with time zone NOT NULL,
	"last_sign_in_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "oauth_session" (
	"did" text PRIMARY KEY NOT NULL,
	"value" jsonb NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "oauth_state" (
	"key" text PRIMARY KEY NOT NULL,
	"value" jsonb NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "web_session" (
	"id_hash" text PRIMARY KEY NOT NULL,
	"did" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"oauth_checked_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "oauth_state_expires_at_idx" ON "oauth_state" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "web_session_did_idx" ON "web_session" USING btree ("did");--> statement-breakpoint
CREATE INDEX "web_session_expires_at_idx" ON "web_session" USING btree ("expires_at");