package dev.kiln.events;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.List;

/**
 * The gate's answer for one subject, sent when it changes. A requirement reads like {@code test-case:kiln.image.starts
 * passed} or {@code signature:cosign missing}.
 * <p>
 * {@code final} (JSON {@code "final"}) is true on an unsatisfied decision that nothing changes any more: every QA
 * result is in, at least one did not pass, and the waiver window has ended. Only a final decision ends a build at QA
 * (Greenwave's shape: QA results are evidence, the gate decides). A satisfied decision is never final; an event
 * without the field is not final.
 */
public record GatingDecision(String buildId, String subjectRepository, String subjectDigest, boolean satisfied,
        List<String> satisfiedRequirements, List<String> unsatisfiedRequirements, String policyId, Instant time,
        @JsonProperty("final") Boolean finalDecision)
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
        if (satisfied && Boolean.TRUE.equals(finalDecision)) {
            throw new IllegalArgumentException("a satisfied decision is never final");
        }
        finalDecision = Boolean.TRUE.equals(finalDecision) ? Boolean.TRUE : null;
    }

    /** A decision that is not final. */
    public GatingDecision(String buildId, String subjectRepository, String subjectDigest, boolean satisfied,
            List<String> satisfiedRequirements, List<String> unsatisfiedRequirements, String policyId, Instant time) {
        this(buildId, subjectRepository, subjectDigest, satisfied, satisfiedRequirements, unsatisfiedRequirements, policyId,
                time, null);
    }

    /** Whether this decision is final (see the type's description). */
    public boolean finalized() {
        return Boolean.TRUE.equals(finalDecision);
    }
}
