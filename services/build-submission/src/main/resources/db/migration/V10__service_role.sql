-- Service tokens: a Kiln service's robot account, for the registries' token realm (docs/security.md).
ALTER TABLE api_tokens DROP CONSTRAINT api_tokens_role_check;
ALTER TABLE api_tokens ADD CONSTRAINT api_tokens_role_check
    CHECK (role IN ('maintainer', 'release-engineer', 'admin', 'service'));
