-- Contexts are stored in 1 MiB chunks so that neither an upload nor a download is ever held in memory whole.
-- A contexts row is written in the same transaction as its chunks: a row means the whole archive is there.

CREATE TABLE context_chunks (
    digest   TEXT NOT NULL REFERENCES contexts (digest) ON DELETE CASCADE,
    sequence INTEGER NOT NULL,
    bytes    BYTEA NOT NULL,
    PRIMARY KEY (digest, sequence)
);

INSERT INTO context_chunks (digest, sequence, bytes)
SELECT c.digest, s.sequence, substring(c.bytes FROM s.sequence * 1048576 + 1 FOR 1048576)
FROM contexts c
CROSS JOIN LATERAL generate_series(0, GREATEST((length(c.bytes) - 1) / 1048576, 0)) AS s(sequence);

ALTER TABLE contexts DROP COLUMN bytes;
