package dev.kiln.events;

import java.time.Instant;

/**
 * One outcome of one test case for one subject ({@code registry/repository@subjectDigest}). Sent by qa on
 * {@code kiln.qa.result}; a QA hook sends it on its own topic {@code kiln.qa.hook.<name>} with its own
 * {@code testCase} and its name as {@code reporter}, and qa sends it on.
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
