-- Every signature the service made (both formats), with its key and time. A repeated event finds its row here and
-- signs nothing twice; simple signatures are also served from here in the lookaside layout.
CREATE TABLE signing.signatures (
    id              BIGSERIAL PRIMARY KEY,
    build_id        TEXT        NOT NULL,
    registry        TEXT        NOT NULL,
    repository      TEXT        NOT NULL,
    reference       TEXT        NOT NULL,
    digest          TEXT        NOT NULL,
    format          TEXT        NOT NULL CHECK (format IN ('cosign', 'simple-signing')),
    key_id          TEXT        NOT NULL,
    location        TEXT        NOT NULL,
    lookaside_index INTEGER,
    signature       BYTEA,
    signed_at       TIMESTAMPTZ NOT NULL,
    CONSTRAINT signatures_once UNIQUE (registry, reference, digest, format, key_id),
    CONSTRAINT signatures_lookaside UNIQUE (repository, digest, lookaside_index),
    CONSTRAINT signatures_simple_has_blob CHECK (format <> 'simple-signing' OR (signature IS NOT NULL AND lookaside_index IS NOT NULL))
);
CREATE INDEX signatures_by_digest ON signing.signatures (repository, digest);

-- OpenPGP keys the service generated itself (when none is configured): the secret key ring is stored encrypted.
CREATE TABLE signing.openpgp_keys (
    fingerprint        TEXT PRIMARY KEY,
    armored_secret_key TEXT        NOT NULL,
    armored_public_key TEXT        NOT NULL,
    protected_by       TEXT        NOT NULL,
    created_at         TIMESTAMPTZ NOT NULL
);
