-- Who may do what: components and their owners, API tokens (only their SHA-256 is stored), cancel requests.

CREATE TABLE components (
    name       TEXT PRIMARY KEY,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    created_by TEXT NOT NULL
);

CREATE TABLE component_owners (
    component TEXT NOT NULL REFERENCES components (name) ON DELETE CASCADE,
    username  TEXT NOT NULL,
    PRIMARY KEY (component, username)
);

CREATE INDEX component_owners_user ON component_owners (username);

CREATE TABLE api_tokens (
    id          TEXT PRIMARY KEY,
    token_hash  TEXT NOT NULL UNIQUE,
    username    TEXT NOT NULL,
    role        TEXT NOT NULL CHECK (role IN ('maintainer', 'release-engineer', 'admin')),
    description TEXT,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    created_by  TEXT NOT NULL
);

ALTER TABLE builds ADD COLUMN cancel_requested_by TEXT;
ALTER TABLE builds ADD COLUMN cancel_requested_at TIMESTAMPTZ;

CREATE INDEX builds_requester_created ON builds (requester, created_at DESC);
CREATE INDEX builds_state_created ON builds (state, created_at DESC);
