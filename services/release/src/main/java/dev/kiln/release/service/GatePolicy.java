package dev.kiln.release.service;

import dev.kiln.events.QaOutcome;
import dev.kiln.release.domain.Decision;
import dev.kiln.release.domain.Policy;
import dev.kiln.release.domain.QaRecord;
import dev.kiln.release.domain.SignatureRecord;
import dev.kiln.release.domain.Subject;
import dev.kiln.release.domain.Waiver;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Evaluates a {@link Policy} (Greenwave style) for one subject: every required test case PASSED for the subject digest
 * (or waived), no other known result for the digest pending or not passed (unless waived), and, when the policy says
 * so and the build is not a scratch build (which is never promoted, so never signed for production), a cosign
 * signature of the candidate name at that digest. A missing result is "missing", never "passed". The decision says
 * when only a waiver could satisfy it ({@link Decision#waiverOnly()}): no result missing or pending, one failed.
 */
public final class GatePolicy {
    public static final String POLICY_ID = Policy.DEFAULT_ID;
    public static final String REQUIRED_TEST_CASE = Policy.IMAGE_STARTS;

    private GatePolicy() {
    }

    /** The built-in default policy without waivers. */
    public static Decision evaluate(Subject subject, List<QaRecord> results, List<SignatureRecord> signatures, String candidateRegistry) {
        return evaluate(Policy.BUILT_IN, subject, results, signatures, List.of(), candidateRegistry);
    }

    public static Decision evaluate(Policy policy, Subject subject, List<QaRecord> results, List<SignatureRecord> signatures,
            List<Waiver> waivers, String candidateRegistry) {
        List<String> satisfied = new ArrayList<>();
        List<String> unsatisfied = new ArrayList<>();
        boolean failed = false;
        boolean open = false;
        Set<String> waived = waivers.stream().filter(w -> w.buildId().equals(subject.buildId())).map(Waiver::testCase)
                .collect(Collectors.toSet());

        for (String testCase : policy.requiredTestCases()) {
            String state = results.stream()
                    .filter(r -> r.testCase().equals(testCase) && r.subjectDigest().equals(subject.digest()))
                    .findFirst().map(r -> describe(r.outcome())).orElse("missing");
            if (state.equals("passed")) {
                satisfied.add("test-case:" + testCase + " passed");
            } else if (waived.contains(testCase)) {
                satisfied.add("test-case:" + testCase + " waived");
            } else {
                unsatisfied.add("test-case:" + testCase + " " + state);
                if (state.equals("missing")) {
                    open = true;
                } else {
                    failed = true;
                }
            }
        }

        // Beyond the policy's list: a known result that is still pending or did not pass blocks the gate too, so
        // nothing is promoted while QA is running or after any of its checks (or a hook's) failed, unless waived.
        Set<String> required = Set.copyOf(policy.requiredTestCases());
        List<QaRecord> others = results.stream()
                .filter(r -> r.subjectDigest().equals(subject.digest()) && !required.contains(r.testCase()))
                .filter(r -> r.outcome() != QaOutcome.PASSED)
                .sorted(java.util.Comparator.comparing(QaRecord::testCase))
                .toList();
        for (QaRecord r : others) {
            String state = r.outcome().isFinal() ? describe(r.outcome()) : "pending";
            if (waived.contains(r.testCase()) && r.outcome().isFinal()) {
                satisfied.add("test-case:" + r.testCase() + " waived");
            } else {
                unsatisfied.add("test-case:" + r.testCase() + " " + state);
                if (r.outcome().isFinal()) {
                    failed = true;
                } else {
                    open = true;
                }
            }
        }

        if (policy.signatureRequired() && !subject.scratch()) {
            String candidateName = candidateRegistry + "/" + subject.repository() + ":";
            boolean signed = signatures.stream().anyMatch(s -> "cosign".equals(s.format())
                    && s.reference().startsWith(candidateName) && s.digest().equals(subject.digest()));
            (signed ? satisfied : unsatisfied).add("signature:cosign " + (signed ? "present" : "missing"));
        }

        return new Decision(policy.id(), unsatisfied.isEmpty(), satisfied, unsatisfied, failed && !open);
    }

    /** Fail closed: what the gate says when it could not evaluate. */
    public static Decision error(String what) {
        return error(POLICY_ID, what);
    }

    public static Decision error(String policyId, String what) {
        return new Decision(policyId, false, List.of(), List.of("policy:" + policyId + " evaluation-error (" + what + ")"));
    }

    private static String describe(QaOutcome outcome) {
        return switch (outcome) {
            case PASSED -> "passed";
            case QUEUED, RUNNING -> "missing";
            default -> outcome.name().toLowerCase(Locale.ROOT).replace('_', '-');
        };
    }
}
