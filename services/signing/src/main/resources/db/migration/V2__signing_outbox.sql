-- The transactional outbox (service-support Outbox): every kiln.image.signed is written in the transaction that
-- records its signature and sent by the relay after the commit.
CREATE TABLE signing.outbox (
    id          BIGSERIAL PRIMARY KEY,
    event_id    TEXT        NOT NULL,
    event_type  TEXT        NOT NULL,
    build_id    TEXT        NOT NULL,
    payload     TEXT        NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
