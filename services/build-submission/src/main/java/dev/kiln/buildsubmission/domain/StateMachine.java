package dev.kiln.buildsubmission.domain;

import dev.kiln.events.BuildCompleted;
import dev.kiln.events.BuildStarted;
import dev.kiln.events.BuildState;
import dev.kiln.events.GatingDecision;
import dev.kiln.events.ImagePromoted;
import dev.kiln.events.ImagePushed;
import dev.kiln.events.KilnEvent;
import dev.kiln.events.QaOutcome;
import dev.kiln.events.QaResult;
import dev.kiln.events.Stage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The build state machine, as pure functions. A build only moves forward
 * ({@code SUBMITTED → BUILDING → PUSHED → VERIFYING → PROMOTING → COMPLETE}); FAILED and CANCELED can be reached
 * from any non-terminal state; COMPLETE, FAILED and CANCELED never change again. QA results are evidence, not
 * verdicts (Greenwave's shape): only the gate ends a build at QA, with a final unsatisfied decision (every result in,
 * one did not pass, the waiver window over); a satisfied decision moves a build on (a scratch build to COMPLETE, as
 * it is never promoted). Each method takes what the build looks like after the event's data was recorded and answers
 * the transition, if any.
 */
public final class StateMachine {
    /** Reason code of a build whose gate decided, for good, that its QA results do not let it through. */
    public static final String QA_FAILED = "qa-failed";

    private StateMachine() {
    }

    /** What the state machine needs to know about a build. */
    public record Snapshot(BuildState state, boolean scratch, ImageLocation candidate, List<QaRecord> qaResults,
            List<SignatureRecord> signatures, ImageLocation promoted) {
        public Snapshot {
            qaResults = qaResults == null ? List.of() : List.copyOf(qaResults);
            signatures = signatures == null ? List.of() : List.copyOf(signatures);
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

    /**
     * The states a build passed over when it moved {@code from} to {@code to} along the success path without an event
     * for each (events of different topics arrive in any order): those ranked between the two, without PROMOTING for
     * a scratch build (never promoted). None for a move to FAILED or CANCELED, which can happen from any state.
     */
    public static List<BuildState> passedOver(BuildState from, BuildState to, boolean scratch) {
        if (to == BuildState.FAILED || to == BuildState.CANCELED) {
            return List.of();
        }
        List<BuildState> passed = new ArrayList<>();
        for (BuildState s : List.of(BuildState.BUILDING, BuildState.PUSHED, BuildState.VERIFYING, BuildState.PROMOTING)) {
            if (rank(s) > rank(from) && rank(s) < rank(to) && !(scratch && s == BuildState.PROMOTING)) {
                passed.add(s);
            }
        }
        return passed;
    }

    /**
     * The success-path state an event is proof of, whatever the build's state now: {@code build.started} and
     * {@code build.completed} prove BUILDING, {@code image.pushed} PUSHED, a QA result VERIFYING, a satisfied gate
     * or {@code image.promoted} PROMOTING (never for a scratch build).
     */
    public static Optional<BuildState> proves(KilnEvent event, boolean scratch) {
        if (event instanceof BuildStarted || event instanceof BuildCompleted) {
            return Optional.of(BuildState.BUILDING);
        }
        if (event instanceof ImagePushed) {
            return Optional.of(BuildState.PUSHED);
        }
        if (event instanceof QaResult) {
            return Optional.of(BuildState.VERIFYING);
        }
        if (event instanceof GatingDecision g) {
            return g.satisfied() && !scratch ? Optional.of(BuildState.PROMOTING) : Optional.empty();
        }
        if (event instanceof ImagePromoted) {
            return scratch ? Optional.empty() : Optional.of(BuildState.PROMOTING);
        }
        return Optional.empty();
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

    /** A QA result was recorded: evidence for the gate, never an end; the build is VERIFYING. */
    public static Optional<Transition> onQaResult(Snapshot b) {
        return forward(b.state(), BuildState.VERIFYING);
    }

    /** A signature was recorded. */
    public static Optional<Transition> onSigned(Snapshot b) {
        if (isPromotedAndSigned(b)) {
            return forward(b.state(), BuildState.COMPLETE);
        }
        return forward(b.state(), BuildState.VERIFYING);
    }

    /** What the gate said: satisfied or not, final or not, and what is missing. */
    public record Gate(boolean satisfied, boolean finalDecision, String policyId, List<String> unsatisfied) {
        public Gate {
            unsatisfied = unsatisfied == null ? List.of() : List.copyOf(unsatisfied);
        }
    }

    /**
     * The gate decided. Satisfied: a build goes on to PROMOTING, a scratch build (never promoted) is COMPLETE. Final
     * and unsatisfied: the build FAILED at stage qa. Anything else changes nothing: a result may still come in, or a
     * release engineer may still waive one.
     */
    public static Optional<Transition> onGating(Snapshot b, Gate gate) {
        if (gate.satisfied()) {
            return forward(b.state(), b.scratch() ? BuildState.COMPLETE : BuildState.PROMOTING);
        }
        if (gate.finalDecision()) {
            return forward(b.state(), BuildState.FAILED, new Failure(Stage.QA, QA_FAILED, "the gate (policy "
                    + gate.policyId() + ") did not let the image through: " + String.join(", ", gate.unsatisfied())
                    + "; no waiver came within the waiver window (fix the image or the test, then submit a new build)"));
        }
        return Optional.empty();
    }

    /** The image was promoted (and recorded). */
    public static Optional<Transition> onPromoted(Snapshot b) {
        if (b.scratch()) {
            return Optional.empty();
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
