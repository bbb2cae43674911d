package dev.kiln.release.service;

import dev.kiln.events.QaOutcome;
import dev.kiln.release.domain.Decision;
import dev.kiln.release.domain.QaRecord;
import dev.kiln.release.domain.SignatureRecord;
import dev.kiln.release.domain.Subject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The {@code default} policy (Greenwave style): test case {@code kiln.image.starts} PASSED for the subject digest, and a
 * cosign signature of the candidate name at that digest. A missing result is "missing", never "passed".
 */
public final class GatePolicy {
    public static final String POLICY_ID = "default";
    public static final String REQUIRED_TEST_CASE = "kiln.image.starts";

    private GatePolicy() {
    }

    public static Decision evaluate(Subject subject, List<QaRecord> results, List<SignatureRecord> signatures, String candidateRegistry) {
        List<String> satisfied = new ArrayList<>();
        List<String> unsatisfied = new ArrayList<>();

        String testState = results.stream()
                .filter(r -> r.testCase().equals(REQUIRED_TEST_CASE) && r.subjectDigest().equals(subject.digest()))
                .findFirst().map(r -> describe(r.outcome())).orElse("missing");
        String testRequirement = "test-case:" + REQUIRED_TEST_CASE + " " + testState;
        (testState.equals("passed") ? satisfied : unsatisfied).add(testRequirement);

        String candidateName = candidateRegistry + "/" + subject.repository() + ":";
        boolean signed = signatures.stream().anyMatch(s -> "cosign".equals(s.format())
                && s.reference().startsWith(candidateName) && s.digest().equals(subject.digest()));
        (signed ? satisfied : unsatisfied).add("signature:cosign " + (signed ? "present" : "missing"));

        return new Decision(POLICY_ID, unsatisfied.isEmpty(), satisfied, unsatisfied);
    }

    /** Fail closed: what the gate says when it could not evaluate. */
    public static Decision error(String what) {
        return new Decision(POLICY_ID, false, List.of(), List.of("policy:" + POLICY_ID + " evaluation-error (" + what + ")"));
    }

    private static String describe(QaOutcome outcome) {
        return switch (outcome) {
            case PASSED -> "passed";
            case QUEUED, RUNNING -> "missing";
            default -> outcome.name().toLowerCase(Locale.ROOT).replace('_', '-');
        };
    }
}
