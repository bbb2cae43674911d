package dev.kiln.release.domain;

import dev.kiln.events.QaOutcome;

/** The latest stored outcome of one test case for a build. */
public record QaRecord(String testCase, QaOutcome outcome, String subjectDigest) {
}
