package dev.kiln.buildsubmission.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.events.BuildFailed;
import dev.kiln.events.BuildStarted;
import dev.kiln.events.BuildState;
import dev.kiln.events.ImagePushed;
import dev.kiln.events.Nvr;
import dev.kiln.events.QaOutcome;
import dev.kiln.events.QaResult;
import dev.kiln.events.Stage;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class StateMachineTest {
    private static final String D = "sha256:" + "a".repeat(64);
    private static final ImageLocation CANDIDATE = new ImageLocation("localhost:5000", "hello", D, List.of("1.0-1"));
    private static final ImageLocation PROMOTED = new ImageLocation("localhost:5001", "hello", D,
            List.of("1.0-1", "1.0", "latest"));
    private static final Instant T = Instant.parse("2025-01-01T00:00:00Z");

    private static StateMachine.Snapshot snap(BuildState s) {
        return new StateMachine.Snapshot(s, false, CANDIDATE, List.of(), List.of(), null);
    }

    private static BuildState to(Optional<Transition> t) {
        return t.map(Transition::to).orElse(null);
    }

    @Test
    void theStatesASkipPassedOverAreNamedSoTheHistoryHasNoHole() {
        assertEquals(List.of(BuildState.BUILDING), StateMachine.passedOver(BuildState.SUBMITTED, BuildState.PUSHED, false));
        assertEquals(List.of(BuildState.BUILDING, BuildState.PUSHED, BuildState.VERIFYING, BuildState.PROMOTING),
                StateMachine.passedOver(BuildState.SUBMITTED, BuildState.COMPLETE, false));
        assertEquals(List.of(BuildState.VERIFYING), StateMachine.passedOver(BuildState.PUSHED, BuildState.PROMOTING, false));
        assertEquals(List.of(), StateMachine.passedOver(BuildState.VERIFYING, BuildState.COMPLETE, true),
                "a scratch build is never promoted");
        assertEquals(List.of(), StateMachine.passedOver(BuildState.BUILDING, BuildState.PUSHED, false));
        assertEquals(List.of(), StateMachine.passedOver(BuildState.SUBMITTED, BuildState.FAILED, false),
                "a build may fail from any state");
        assertEquals(List.of(), StateMachine.passedOver(BuildState.SUBMITTED, BuildState.CANCELED, false));
    }

    @Test
    void eachEventProvesTheStateItBelongsTo() {
        String id = "b";
        assertEquals(Optional.of(BuildState.BUILDING), StateMachine.proves(new BuildStarted(id, "w",
                "tcp://d:2376", T), false));
        assertEquals(Optional.of(BuildState.PUSHED), StateMachine.proves(new ImagePushed(id, "c",
                false, new Nvr("c", "1", "1"), "r", "c", List.of("1-1"), D, "m", 1, T), false));
        assertEquals(Optional.of(BuildState.VERIFYING), StateMachine.proves(new QaResult(id,
                "r/c", D, "kiln.image.starts", QaOutcome.PASSED, "ok", "kiln-qa", null, T), false));
        assertEquals(Optional.empty(), StateMachine.proves(new BuildFailed(id, Stage.BUILD, "x",
                "y", false, T), false));
    }

    @Test
    void forwardOnly() {
        assertEquals(BuildState.BUILDING, to(StateMachine.onBuilding(snap(BuildState.SUBMITTED))));
        assertEquals(BuildState.PUSHED, to(StateMachine.onPushed(snap(BuildState.BUILDING))));
        assertTrue(StateMachine.onBuilding(snap(BuildState.PUSHED)).isEmpty(), "no move back");
        assertTrue(StateMachine.onBuilding(snap(BuildState.BUILDING)).isEmpty(), "no self transition");
        assertTrue(StateMachine.onPushed(snap(BuildState.VERIFYING)).isEmpty());
        assertEquals(BuildState.PUSHED, to(StateMachine.onPushed(snap(BuildState.SUBMITTED))), "skipping is forward");
    }

    @Test
    void terminalStatesAreSticky() {
        for (BuildState end : List.of(BuildState.FAILED, BuildState.CANCELED, BuildState.COMPLETE)) {
            StateMachine.Snapshot s = snap(end);
            assertTrue(StateMachine.onBuilding(s).isEmpty());
            assertTrue(StateMachine.onPushed(s).isEmpty());
            assertTrue(StateMachine.onFailed(s, new Failure(Stage.BUILD, "x", "y")).isEmpty());
            assertTrue(StateMachine.onCanceled(s).isEmpty());
            assertTrue(StateMachine.onGating(s, OPEN).isEmpty());
            assertTrue(StateMachine.onGating(s, FINAL).isEmpty());
            assertTrue(StateMachine.onPromoted(s).isEmpty());
        }
    }

    @Test
    void failedCarriesTheFailure() {
        Failure f = new Failure(Stage.BUILD, "build-step-failed", "RUN make failed");
        Transition t = StateMachine.onFailed(snap(BuildState.BUILDING), f).orElseThrow();
        assertEquals(BuildState.FAILED, t.to());
        assertEquals(BuildState.BUILDING, t.from());
        assertEquals(f, t.failure());
        assertEquals(BuildState.CANCELED, to(StateMachine.onCanceled(snap(BuildState.SUBMITTED))));
    }

    private static final StateMachine.Gate OPEN = new StateMachine.Gate(true, false, "default", List.of());
    private static final StateMachine.Gate CLOSED = new StateMachine.Gate(false, false, "default",
            List.of("test-case:kiln.image.starts failed"));
    private static final StateMachine.Gate FINAL = new StateMachine.Gate(false, true, "default",
            List.of("test-case:kiln.image.starts failed"));

    @Test
    void qaResultsAreEvidenceAndNeverEndABuild() {
        QaRecord passed = new QaRecord("kiln.image.starts", D, QaOutcome.PASSED, "ok", "kiln-qa", null, T);
        QaRecord failed = new QaRecord("kiln.image.starts", D, QaOutcome.FAILED, "exit 1", "kiln-qa", null, T);
        QaRecord error = new QaRecord("hook.x", D, QaOutcome.ERROR, null, "hook", null, T);
        assertEquals(BuildState.VERIFYING, to(StateMachine.onQaResult(withResults(BuildState.PUSHED, passed))));
        assertEquals(BuildState.VERIFYING, to(StateMachine.onQaResult(withResults(BuildState.PUSHED, failed))));
        assertTrue(StateMachine.onQaResult(withResults(BuildState.VERIFYING, failed)).isEmpty());
        assertTrue(StateMachine.onQaResult(withResults(BuildState.PROMOTING, error)).isEmpty());
    }

    private static StateMachine.Snapshot withResults(BuildState state, QaRecord... results) {
        return new StateMachine.Snapshot(state, false, CANDIDATE, List.of(results), List.of(), null);
    }

    @Test
    void aScratchBuildIsCompleteWhenItsGateIsSatisfied() {
        QaRecord passed = new QaRecord("kiln.image.starts", D, QaOutcome.PASSED, "ok", "kiln-qa", null, T);
        StateMachine.Snapshot scratch = new StateMachine.Snapshot(BuildState.VERIFYING, true, CANDIDATE, List.of(passed),
                List.of(), null);
        assertTrue(StateMachine.onQaResult(scratch).isEmpty(), "a passed result alone does not end it");
        assertEquals(BuildState.COMPLETE, to(StateMachine.onGating(scratch, OPEN)));
        assertEquals(BuildState.FAILED, to(StateMachine.onGating(scratch, FINAL)));
        assertTrue(StateMachine.onGating(scratch, CLOSED).isEmpty());
    }

    @Test
    void onlyAFinalUnsatisfiedDecisionEndsABuildAtQa() {
        assertEquals(BuildState.PROMOTING, to(StateMachine.onGating(snap(BuildState.VERIFYING), OPEN)));
        assertTrue(StateMachine.onGating(snap(BuildState.VERIFYING), CLOSED).isEmpty(), "a waiver may still come");
        Transition t = StateMachine.onGating(snap(BuildState.VERIFYING), FINAL).orElseThrow();
        assertEquals(BuildState.FAILED, t.to());
        assertEquals(Stage.QA, t.failure().stage());
        assertEquals("qa-failed", t.failure().reason());
        assertTrue(t.failure().message().contains("test-case:kiln.image.starts failed"), t.failure().message());
        // a decision may arrive before the QA results on their own topic
        assertEquals(BuildState.FAILED, to(StateMachine.onGating(snap(BuildState.PUSHED), FINAL)));
    }

    @Test
    void aFailedBuildStaysFailed() {
        StateMachine.Snapshot failed = new StateMachine.Snapshot(BuildState.FAILED, false, CANDIDATE, List.of(),
                List.of(new SignatureRecord("localhost:5001/hello:1.0-1", D, "cosign", "k")), PROMOTED);
        assertTrue(StateMachine.onGating(failed, OPEN).isEmpty(), "no way back from FAILED");
        assertTrue(StateMachine.onPromoted(failed).isEmpty());
        assertTrue(StateMachine.onGating(new StateMachine.Snapshot(BuildState.CANCELED, false, CANDIDATE, List.of(),
                List.of(), null), OPEN).isEmpty());
    }

    @Test
    void completeNeedsPromotionAndAProductionSignatureInEitherOrder() {
        SignatureRecord candidateSig = new SignatureRecord("localhost:5000/hello:1.0-1", D, "cosign", "k");
        SignatureRecord prodSig = new SignatureRecord("localhost:5001/hello:1.0-1", D, "cosign", "k");
        SignatureRecord otherDigest = new SignatureRecord("localhost:5001/hello:1.0-1", "sha256:" + "b".repeat(64),
                "cosign", "k");

        StateMachine.Snapshot promotedOnly = new StateMachine.Snapshot(BuildState.PROMOTING, false, CANDIDATE,
                List.of(), List.of(candidateSig, otherDigest), PROMOTED);
        assertTrue(StateMachine.onPromoted(promotedOnly).isEmpty(), "stays PROMOTING");
        assertFalse(StateMachine.isPromotedAndSigned(promotedOnly));

        StateMachine.Snapshot both = new StateMachine.Snapshot(BuildState.PROMOTING, false, CANDIDATE, List.of(),
                List.of(candidateSig, prodSig), PROMOTED);
        assertEquals(BuildState.COMPLETE, to(StateMachine.onPromoted(both)));
        assertEquals(BuildState.COMPLETE, to(StateMachine.onSigned(both)));

        StateMachine.Snapshot signedNotPromoted = new StateMachine.Snapshot(BuildState.PUSHED, false, CANDIDATE,
                List.of(), List.of(prodSig), null);
        assertEquals(BuildState.VERIFYING, to(StateMachine.onSigned(signedNotPromoted)));

        // the promotion arriving before gating still moves forward
        StateMachine.Snapshot early = new StateMachine.Snapshot(BuildState.VERIFYING, false, CANDIDATE, List.of(),
                List.of(), PROMOTED);
        assertEquals(BuildState.PROMOTING, to(StateMachine.onPromoted(early)));
    }

    @Test
    void qaSupersession() {
        QaRecord running = new QaRecord("t", D, QaOutcome.RUNNING, null, "r", null, T);
        QaRecord passed = new QaRecord("t", D, QaOutcome.PASSED, null, "r", null, T);
        assertTrue(StateMachine.supersedes(null, QaOutcome.QUEUED, T));
        assertTrue(StateMachine.supersedes(running, QaOutcome.PASSED, T.minusSeconds(5)), "a final result wins");
        assertFalse(StateMachine.supersedes(passed, QaOutcome.RUNNING, T.plusSeconds(5)), "never back to running");
        assertTrue(StateMachine.supersedes(passed, QaOutcome.FAILED, T.plusSeconds(5)), "a newer rerun counts");
        assertFalse(StateMachine.supersedes(passed, QaOutcome.FAILED, T.minusSeconds(5)), "an older one does not");
    }
}
