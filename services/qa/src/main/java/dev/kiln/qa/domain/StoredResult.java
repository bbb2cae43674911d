package dev.kiln.qa.domain;

import dev.kiln.events.QaOutcome;
import java.time.Instant;
import java.util.UUID;

/** One stored result (ResultsDB shape): an outcome of a test case for a subject, by a reporter, at a time. */
public record StoredResult(long id, UUID runId, String buildId, String subjectRepository, String subjectDigest,
        String testCase, QaOutcome outcome, String note, String reporter, String refUrl, Instant time,
        Instant submitTime) {
}
