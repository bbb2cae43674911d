package dev.kiln.events;

import java.time.Instant;

/**
 * One outcome of one test case for one subject ({@code registry/repository@subjectDigest}). Sent by qa and by
 * external hooks, which name their own {@code testCase} and {@code reporter}.
 */
public record QaResult(String buildId, String subjectRepository, String subjectDigest, String testCase,
        QaOutcome outcome, String summary, String reporter, String logUrl, Instant time) implements KilnEvent {
    public QaResult {
        Require.text(buildId, "buildId");
        Require.text(subjectRepository, "subjectRepository");
        Require.digest(subjectDigest, "subjectDigest");
        Require.text(testCase, "testCase");
        if (!testCase.matches("[a-z0-9]+([._-][a-z0-9]+)*")) {
            throw new IllegalArgumentException("testCase must be a dotted lower-case name like kiln.image.starts, got: " + testCase);
        }
        Require.present(outcome, "outcome");
        Require.text(reporter, "reporter");
        Require.present(time, "time");
    }
}
