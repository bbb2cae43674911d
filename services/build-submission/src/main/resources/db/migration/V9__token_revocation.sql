-- Tokens can be revoked (kiln token revoke): a revoked token stands for nobody; its row stays, for the record of who
-- held it and who revoked it.
ALTER TABLE api_tokens ADD COLUMN revoked_at TIMESTAMPTZ;
ALTER TABLE api_tokens ADD COLUMN revoked_by TEXT;
