package dev.kiln.release.service;

import dev.kiln.release.domain.Decision;
import java.util.Optional;

/** Why a request of a release engineer (promotion, waiver) was not carried out. */
public class ReleaseException extends RuntimeException {
    public enum Kind {
        /** No such build (no event about it has arrived). */
        UNKNOWN_BUILD,
        /** The build cannot be promoted: scratch, not pushed yet, or not in the candidate registry. */
        NOT_PROMOTABLE,
        /** The gate is not satisfied; {@link #decision()} says why. */
        GATE_CLOSED,
        /** {@code to} names a registry the service does not promote to. */
        UNKNOWN_TARGET,
        /** The request itself is wrong. */
        INVALID,
        /** Copying to the target registry failed (after retries). */
        COPY_FAILED,
        /** The gate's decision is final: a waiver no longer changes it; {@link #decision()} is that decision. */
        DECISION_FINAL
    }

    private final Kind kind;
    private final Decision decision;

    public ReleaseException(Kind kind, String message) {
        this(kind, message, null);
    }

    public ReleaseException(Kind kind, String message, Decision decision) {
        super(message);
        this.kind = kind;
        this.decision = decision;
    }

    public Kind kind() {
        return kind;
    }

    public Optional<Decision> decision() {
        return Optional.ofNullable(decision);
    }
}
