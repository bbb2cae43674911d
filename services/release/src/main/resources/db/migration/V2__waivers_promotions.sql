-- Waivers of failed or missing test cases (stored here until the qa service owns them).
CREATE TABLE release.waivers (
    build_id   text        NOT NULL,
    test_case  text        NOT NULL,
    comment    text        NOT NULL,
    waived_by  text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (build_id, test_case)
);

-- Every promotion of a build to a registry (automatic ones to production and manual ones to any target).
CREATE TABLE release.promotions (
    build_id    text        NOT NULL,
    registry    text        NOT NULL,
    repository  text        NOT NULL,
    digest      text        NOT NULL,
    tags        text[]      NOT NULL,
    promoted_by text        NOT NULL,
    promoted_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (build_id, registry)
);

-- Decisions are also looked up by subject digest.
CREATE INDEX subjects_digest ON release.subjects (digest);
