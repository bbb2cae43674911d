package dev.kiln.events;

import java.time.Instant;
import java.util.List;

/**
 * The gate's answer for one subject, sent when it changes. A requirement reads like {@code test-case:kiln.image.starts
 * passed} or {@code signature:cosign missing}.
 */
public record GatingDecision(String buildId, String subjectRepository, String subjectDigest, boolean satisfied,
        List<String> satisfiedRequirements, List<String> unsatisfiedRequirements, String policyId, Instant time)
        implements KilnEvent {
    public GatingDecision {
        Require.text(buildId, "buildId");
        Require.text(subjectRepository, "subjectRepository");
        Require.digest(subjectDigest, "subjectDigest");
        satisfiedRequirements = Require.list(satisfiedRequirements);
        unsatisfiedRequirements = Require.list(unsatisfiedRequirements);
        if (satisfied && !unsatisfiedRequirements.isEmpty()) {
            throw new IllegalArgumentException("a satisfied decision has no unsatisfied requirements");
        }
        Require.text(policyId, "policyId");
        Require.present(time, "time");
    }
}
