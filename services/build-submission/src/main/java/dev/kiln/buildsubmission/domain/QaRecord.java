package dev.kiln.buildsubmission.domain;

import dev.kiln.events.QaOutcome;
import java.time.Instant;

/** The latest outcome of one test case of a build. */
public record QaRecord(String testCase, String subjectDigest, QaOutcome outcome, String summary, String reporter,
        String logUrl, Instant time) {
}
