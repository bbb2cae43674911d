package dev.kiln.qa.domain;

import java.time.Instant;
import java.util.UUID;

/** One QA run of qa over one pushed image. {@code finishedAt} is null while it runs. */
public record Run(UUID id, String buildId, String subjectRepository, String subjectDigest, Instant startedAt,
        Instant finishedAt, String note) {
}
