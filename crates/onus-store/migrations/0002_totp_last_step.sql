-- The last TOTP time step a user signed in (or enrolled) with: a code is
-- accepted once, never replayed within its window (RFC 6238, section 5.2).
ALTER TABLE users ADD COLUMN totp_last_step BIGINT NOT NULL DEFAULT 0;
