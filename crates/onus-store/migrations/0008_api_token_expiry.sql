-- API tokens end by themselves: a token minted from now on carries its
-- expiry (unix seconds) and stops working at it. Tokens minted before this
-- migration have none (NULL) until revoked.
ALTER TABLE api_tokens ADD COLUMN expires_at BIGINT;
