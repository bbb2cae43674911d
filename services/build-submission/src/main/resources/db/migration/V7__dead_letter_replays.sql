-- Dead letters an admin replayed (kiln admin dlq replay): one row per dead letter, named <dlq topic>~<partition>~<offset>.
CREATE TABLE dead_letter_replays (
    dead_letter  TEXT PRIMARY KEY,
    topic        TEXT        NOT NULL,
    ce_id        TEXT,
    replayed_by  TEXT        NOT NULL,
    replayed_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    times        INTEGER     NOT NULL DEFAULT 1
);
