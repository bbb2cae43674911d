-- Sources of builds, from kiln.build.requested: where a pushed image's tests/*.yaml come from.
CREATE TABLE qa.build_sources (
    build_id       text PRIMARY KEY,
    component      text        NOT NULL,
    kind           text        NOT NULL,
    git_url        text,
    git_ref        text,
    git_commit     text,
    context_digest text,
    recorded_at    timestamptz NOT NULL DEFAULT now()
);

-- One QA run of qa per pushed image (build id + digest); a redelivered image.pushed finds it.
CREATE TABLE qa.runs (
    id                 uuid PRIMARY KEY,
    build_id           text        NOT NULL,
    subject_repository text        NOT NULL,
    subject_digest     text        NOT NULL,
    started_at         timestamptz NOT NULL,
    finished_at        timestamptz,
    note               text,
    UNIQUE (build_id, subject_digest)
);
CREATE INDEX runs_digest ON qa.runs (subject_digest);

-- Results in ResultsDB's shape, append-only: every outcome change of every test case, from qa and from hooks.
CREATE TABLE qa.results (
    id                 bigserial PRIMARY KEY,
    run_id             uuid REFERENCES qa.runs (id),
    build_id           text        NOT NULL,
    subject_repository text        NOT NULL,
    subject_digest     text        NOT NULL,
    test_case          text        NOT NULL,
    outcome            text        NOT NULL,
    note               text,
    reporter           text        NOT NULL,
    ref_url            text,
    result_time        timestamptz NOT NULL,
    submit_time        timestamptz NOT NULL DEFAULT now(),
    -- a redelivered event is the same result: stored once
    UNIQUE (reporter, subject_digest, test_case, outcome, result_time)
);
CREATE INDEX results_digest_case ON qa.results (subject_digest, test_case);
CREATE INDEX results_run ON qa.results (run_id);
