-- Subjects of the gate: one per build. A row may be created before image.pushed arrives (from a qa.result or an
-- image.signed that came first); then only build_id is known and digest is null.
CREATE TABLE release.subjects (
    build_id      text PRIMARY KEY,
    component     text,
    scratch       boolean     NOT NULL DEFAULT false,
    name          text,
    version       text,
    release       text,
    registry      text,
    repository    text,
    digest        text,
    tags          text[]      NOT NULL DEFAULT '{}',
    promoted      boolean     NOT NULL DEFAULT false,
    promoted_at   timestamptz,
    last_decision jsonb,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);

-- The latest result per test case (a late, older result does not overwrite a newer one).
CREATE TABLE release.qa_results (
    build_id       text        NOT NULL,
    test_case      text        NOT NULL,
    outcome        text        NOT NULL,
    subject_digest text        NOT NULL,
    reporter       text,
    reported_at    timestamptz NOT NULL,
    PRIMARY KEY (build_id, test_case)
);

CREATE TABLE release.signatures (
    build_id   text        NOT NULL,
    reference  text        NOT NULL,
    digest     text        NOT NULL,
    key_id     text        NOT NULL,
    format     text        NOT NULL,
    location   text,
    signed_at  timestamptz NOT NULL,
    CONSTRAINT signatures_unique UNIQUE (build_id, reference, digest, key_id, format)
);
CREATE INDEX signatures_build ON release.signatures (build_id);
