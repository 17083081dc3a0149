-- Bindings made before every binding recorded its Bluesky account. Their person key was the DID for the allowlist
-- and invites, and `eth:<lower-case address>` for the personhood check, whose DID was never stored: those keep a
-- null DID (their member stays in the group; verifying again with the same wallet and identity, signed in,
-- attaches the account).
UPDATE "juror_binding" SET "did" = "person_key"
WHERE "verifier" IN ('allowlist', 'invite') AND "person_key" LIKE 'did:%';
--> statement-breakpoint
UPDATE "juror_binding" SET "wallet" = lower(substring("person_key" from 5))
WHERE "verifier" = 'personhood' AND "person_key" LIKE 'eth:%';
