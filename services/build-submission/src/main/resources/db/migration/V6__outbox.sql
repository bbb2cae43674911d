-- The transactional outbox (service-support Outbox): events written in the transaction that made them true, sent
-- in id order by the relay after the commit and deleted once the broker acknowledged them.
CREATE TABLE outbox (
    id          BIGSERIAL PRIMARY KEY,
    event_id    TEXT        NOT NULL,
    event_type  TEXT        NOT NULL,
    build_id    TEXT        NOT NULL,
    payload     TEXT        NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
