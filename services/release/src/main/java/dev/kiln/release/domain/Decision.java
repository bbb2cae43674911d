package dev.kiln.release.domain;

import java.util.List;

/**
 * The gate's answer: satisfied when no requirement is unsatisfied. {@code waiverOnly}: unsatisfied, and only a waiver
 * could change that: every QA result the gate counts is in (none missing or pending) and at least one did not pass.
 */
public record Decision(String policyId, boolean satisfied, List<String> satisfiedRequirements, List<String> unsatisfiedRequirements,
        boolean waiverOnly) {
    public Decision {
        satisfiedRequirements = List.copyOf(satisfiedRequirements);
        unsatisfiedRequirements = List.copyOf(unsatisfiedRequirements);
        if (satisfied && !unsatisfiedRequirements.isEmpty()) {
            throw new IllegalArgumentException("a satisfied decision has no unsatisfied requirements");
        }
        if (satisfied && waiverOnly) {
            throw new IllegalArgumentException("a satisfied decision needs no waiver");
        }
    }

    public Decision(String policyId, boolean satisfied, List<String> satisfiedRequirements, List<String> unsatisfiedRequirements) {
        this(policyId, satisfied, satisfiedRequirements, unsatisfiedRequirements, false);
    }

    /** Whether this says the same as {@code other} (policy, verdict and both requirement lists). */
    public boolean sameAs(Decision other) {
        return other != null && policyId.equals(other.policyId) && satisfied == other.satisfied
                && satisfiedRequirements.equals(other.satisfiedRequirements)
                && unsatisfiedRequirements.equals(other.unsatisfiedRequirements);
    }
}
