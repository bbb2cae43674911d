-- build-submission's tables; Flyway creates them in schema "submission".

CREATE TABLE contexts (
    digest      TEXT PRIMARY KEY,
    bytes       BYTEA NOT NULL,
    size        BIGINT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- A non-scratch NVR is reserved once and never freed (Koji).
CREATE TABLE nvr_reservations (
    name        TEXT NOT NULL,
    version     TEXT NOT NULL,
    release     TEXT NOT NULL,
    build_id    TEXT NOT NULL,
    reserved_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT nvr_reservations_nvr_unique UNIQUE (name, version, release)
);

CREATE TABLE builds (
    id                   TEXT PRIMARY KEY,
    component            TEXT NOT NULL,
    state                TEXT NOT NULL,
    scratch              BOOLEAN NOT NULL,
    requester            TEXT NOT NULL,
    nvr_name             TEXT NOT NULL,
    nvr_version          TEXT NOT NULL,
    nvr_release          TEXT,
    dockerfile_path      TEXT NOT NULL,
    source_kind          TEXT NOT NULL,
    git_url              TEXT,
    git_ref              TEXT,
    git_commit           TEXT,
    context_digest       TEXT,
    created_at           TIMESTAMPTZ NOT NULL,
    updated_at           TIMESTAMPTZ NOT NULL,
    failure_stage        TEXT,
    failure_reason       TEXT,
    failure_message      TEXT,
    worker_id            TEXT,
    docker_host          TEXT,
    parent_image         TEXT,
    parent_digest        TEXT,
    image_id             TEXT,
    image_size           BIGINT,
    labels               JSONB,
    candidate_registry   TEXT,
    candidate_repository TEXT,
    candidate_digest     TEXT,
    candidate_tags       JSONB,
    promoted_registry    TEXT,
    promoted_repository  TEXT,
    promoted_digest      TEXT,
    promoted_tags        JSONB
);

CREATE INDEX builds_component_created ON builds (component, created_at DESC);
CREATE INDEX builds_created ON builds (created_at DESC);

CREATE TABLE build_history (
    id       BIGSERIAL PRIMARY KEY,
    build_id TEXT NOT NULL REFERENCES builds (id),
    state    TEXT NOT NULL,
    at       TIMESTAMPTZ NOT NULL
);

CREATE INDEX build_history_build ON build_history (build_id, id);

CREATE TABLE qa_results (
    build_id       TEXT NOT NULL REFERENCES builds (id),
    test_case      TEXT NOT NULL,
    subject_digest TEXT NOT NULL,
    outcome        TEXT NOT NULL,
    summary        TEXT,
    reporter       TEXT NOT NULL,
    log_url        TEXT,
    reported_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (build_id, test_case)
);

CREATE TABLE signatures (
    id         BIGSERIAL PRIMARY KEY,
    build_id   TEXT NOT NULL REFERENCES builds (id),
    reference  TEXT NOT NULL,
    digest     TEXT NOT NULL,
    format     TEXT NOT NULL,
    key_id     TEXT NOT NULL,
    location   TEXT,
    CONSTRAINT signatures_unique UNIQUE (build_id, reference, digest, format, key_id)
);

CREATE TABLE build_logs (
    build_id TEXT NOT NULL REFERENCES builds (id),
    sequence BIGINT NOT NULL,
    lines    JSONB NOT NULL,
    PRIMARY KEY (build_id, sequence)
);

-- CloudEvents ids of events already applied (redeliveries are recognised here).
CREATE TABLE processed_events (
    event_id     TEXT PRIMARY KEY,
    topic        TEXT NOT NULL,
    processed_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
