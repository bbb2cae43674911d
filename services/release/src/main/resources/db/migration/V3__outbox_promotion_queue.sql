-- The transactional outbox (service-support Outbox): gating.decision, image.promoted and build.failed are written in
-- the transaction that made them true and sent by the relay after the commit.
CREATE TABLE release.outbox (
    id          BIGSERIAL PRIMARY KEY,
    event_id    TEXT        NOT NULL,
    event_type  TEXT        NOT NULL,
    build_id    TEXT        NOT NULL,
    payload     TEXT        NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Automatic promotions are queued on the subject and carried out by the promotion worker outside any transaction:
-- promotion_due_at is when the next attempt is due (null: nothing to do), promotion_attempts counts failed attempts
-- (for the backoff), promotion_failure says why a promotion failed for good.
ALTER TABLE release.subjects
    ADD COLUMN promotion_due_at   timestamptz,
    ADD COLUMN promotion_attempts integer NOT NULL DEFAULT 0,
    ADD COLUMN promotion_failure  text,
-- failing_since: since when only a waiver could satisfy the gate (every QA result in, one did not pass); once the
-- waiver window has passed, the decision is sent as final and decision_final is set: nothing changes it any more.
    ADD COLUMN failing_since      timestamptz,
    ADD COLUMN decision_final     boolean NOT NULL DEFAULT false;

CREATE INDEX subjects_promotion_due ON release.subjects (promotion_due_at) WHERE promotion_due_at IS NOT NULL;
CREATE INDEX subjects_failing ON release.subjects (failing_since) WHERE failing_since IS NOT NULL AND NOT decision_final;
