-- The transactional outbox (service-support Outbox): every kiln.qa.result qa stores (its own checks' and REST-posted
-- hook results) is written in the transaction that stores it and sent by the relay after the commit.
CREATE TABLE qa.outbox (
    id          BIGSERIAL PRIMARY KEY,
    event_id    TEXT        NOT NULL,
    event_type  TEXT        NOT NULL,
    build_id    TEXT        NOT NULL,
    payload     TEXT        NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
