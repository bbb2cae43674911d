package dev.kiln.buildsubmission.domain;

import dev.kiln.events.BuildState;
import dev.kiln.events.QaOutcome;
import dev.kiln.events.Stage;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The build state machine, as pure functions. A build only moves forward
 * ({@code SUBMITTED → BUILDING → PUSHED → VERIFYING → PROMOTING → COMPLETE}); FAILED and CANCELED can be reached
 * from any non-terminal state; COMPLETE, FAILED and CANCELED never change again, with one exception: a build that
 * FAILED only because a QA result did not pass goes on to PROMOTING when the gate is satisfied anyway, which happens
 * when a release engineer waived that result (Greenwave/WaiverDB). Each method takes what the build looks like after
 * the event's data was recorded and answers the transition, if any.
 */
public final class StateMachine {
    /** Reason code of a build failed by a QA result. */
    public static final String QA_FAILED = "qa-failed";

    private StateMachine() {
    }

    /** What the state machine needs to know about a build. */
    public record Snapshot(BuildState state, boolean scratch, ImageLocation candidate, List<QaRecord> qaResults,
            List<SignatureRecord> signatures, ImageLocation promoted, Failure failure) {
        public Snapshot {
            qaResults = qaResults == null ? List.of() : List.copyOf(qaResults);
            signatures = signatures == null ? List.of() : List.copyOf(signatures);
        }

        public Snapshot(BuildState state, boolean scratch, ImageLocation candidate, List<QaRecord> qaResults,
                List<SignatureRecord> signatures, ImageLocation promoted) {
            this(state, scratch, candidate, qaResults, signatures, promoted, null);
        }

        /** FAILED only because a QA result did not pass: the one end a waiver at the gate can undo. */
        public boolean failedAtQa() {
            return state == BuildState.FAILED && failure != null && failure.stage() == Stage.QA
                    && QA_FAILED.equals(failure.reason());
        }
    }

    /** Position on the success path; FAILED and CANCELED rank above everything (they end a build). */
    public static int rank(BuildState state) {
        return switch (state) {
            case SUBMITTED -> 0;
            case BUILDING -> 1;
            case PUSHED -> 2;
            case VERIFYING -> 3;
            case PROMOTING -> 4;
            case COMPLETE, FAILED, CANCELED -> 5;
        };
    }

    /** Moves {@code current} to {@code target} if that is forward and {@code current} is not terminal. */
    public static Optional<Transition> forward(BuildState current, BuildState target, Failure failure) {
        if (current.isTerminal() || current == target) {
            return Optional.empty();
        }
        if (target == BuildState.FAILED || target == BuildState.CANCELED || rank(target) > rank(current)) {
            return Optional.of(new Transition(current, target, target == BuildState.FAILED ? failure : null));
        }
        return Optional.empty();
    }

    public static Optional<Transition> forward(BuildState current, BuildState target) {
        return forward(current, target, null);
    }

    /** A worker took the build (and {@code build.completed}, which implies it). */
    public static Optional<Transition> onBuilding(Snapshot b) {
        return forward(b.state(), BuildState.BUILDING);
    }

    public static Optional<Transition> onFailed(Snapshot b, Failure failure) {
        return forward(b.state(), BuildState.FAILED, failure);
    }

    public static Optional<Transition> onCanceled(Snapshot b) {
        return forward(b.state(), BuildState.CANCELED);
    }

    public static Optional<Transition> onPushed(Snapshot b) {
        return forward(b.state(), BuildState.PUSHED);
    }

    /**
     * A QA result was recorded as {@code result} (the effective result of its test case). FAILED or ERROR fails the
     * build; a scratch build whose last result PASSED with no test case still queued or running is COMPLETE;
     * otherwise the build is VERIFYING.
     */
    public static Optional<Transition> onQaResult(Snapshot b, QaRecord result) {
        if (result.outcome() == QaOutcome.FAILED || result.outcome() == QaOutcome.ERROR) {
            String summary = result.summary() == null || result.summary().isBlank() ? "" : ": " + result.summary();
            return forward(b.state(), BuildState.FAILED, new Failure(Stage.QA, QA_FAILED,
                    "QA test case " + result.testCase() + " reported " + result.outcome() + summary
                            + " (fix the image or the test, then submit a new build)"));
        }
        if (b.scratch() && result.outcome() == QaOutcome.PASSED
                && b.qaResults().stream().allMatch(r -> r.outcome().isFinal())) {
            return forward(b.state(), BuildState.COMPLETE);
        }
        return forward(b.state(), BuildState.VERIFYING);
    }

    /** A signature was recorded. */
    public static Optional<Transition> onSigned(Snapshot b) {
        if (isPromotedAndSigned(b)) {
            return forward(b.state(), BuildState.COMPLETE);
        }
        return forward(b.state(), BuildState.VERIFYING);
    }

    /** The gate said yes or no; only yes moves a (non-scratch) build, to PROMOTING. */
    public static Optional<Transition> onGating(Snapshot b, boolean satisfied) {
        if (!satisfied || b.scratch()) {
            return Optional.empty();
        }
        if (b.failedAtQa()) {
            return Optional.of(new Transition(BuildState.FAILED, BuildState.PROMOTING, null));
        }
        return forward(b.state(), BuildState.PROMOTING);
    }

    /** The image was promoted (and recorded). */
    public static Optional<Transition> onPromoted(Snapshot b) {
        if (b.scratch()) {
            return Optional.empty();
        }
        if (b.failedAtQa()) {
            // the gate's decision (after a waiver) may arrive after the promotion itself: different topics
            return Optional.of(new Transition(BuildState.FAILED, isPromotedAndSigned(b) ? BuildState.COMPLETE
                    : BuildState.PROMOTING, null));
        }
        if (isPromotedAndSigned(b)) {
            return forward(b.state(), BuildState.COMPLETE);
        }
        return forward(b.state(), BuildState.PROMOTING);
    }

    /**
     * True when the build was promoted and a signature exists for the promoted digest under the production name
     * ({@code <registry>/<repository>:<tag>}).
     */
    public static boolean isPromotedAndSigned(Snapshot b) {
        ImageLocation p = b.promoted();
        if (b.scratch() || p == null) {
            return false;
        }
        String prefix = p.registry() + "/" + p.repository() + ":";
        return b.signatures().stream()
                .anyMatch(s -> p.digest().equals(s.digest()) && s.reference() != null && s.reference().startsWith(prefix));
    }

    /**
     * Whether a newly reported outcome replaces the one stored for the same test case: a final outcome is never
     * replaced by a queued or running one, and an older report never replaces a newer one.
     */
    public static boolean supersedes(QaRecord existing, QaOutcome outcome, Instant time) {
        if (existing == null) {
            return true;
        }
        if (existing.outcome().isFinal() && !outcome.isFinal()) {
            return false;
        }
        if (!existing.outcome().isFinal() && outcome.isFinal()) {
            return true;
        }
        return existing.time() == null || time == null || !time.isBefore(existing.time());
    }
}
