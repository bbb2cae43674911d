package dev.kiln.release;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.events.QaOutcome;
import dev.kiln.release.domain.Decision;
import dev.kiln.release.domain.Policy;
import dev.kiln.release.domain.Waiver;
import java.time.Instant;
import dev.kiln.release.domain.QaRecord;
import dev.kiln.release.domain.SignatureRecord;
import dev.kiln.release.domain.Subject;
import dev.kiln.release.service.GatePolicy;
import java.util.List;
import org.junit.jupiter.api.Test;

class GatePolicyTest {
    static final String D = "sha256:" + "a".repeat(64);
    static final String OTHER = "sha256:" + "b".repeat(64);
    static final Subject SUBJECT = new Subject("b1", "hello", false, "hello", "1.0", "1", "cand:5000", "hello", D,
            List.of("1.0-1"), false, null);
    static final SignatureRecord SIG = new SignatureRecord("cand:5000/hello:1.0-1", D, "k", "cosign");

    @Test
    void nothingKnownIsMissingNotPassed() {
        Decision d = GatePolicy.evaluate(SUBJECT, List.of(), List.of(), "cand:5000");
        assertFalse(d.satisfied());
        assertEquals(List.of("test-case:kiln.image.starts missing", "signature:cosign missing"), d.unsatisfiedRequirements());
    }

    @Test
    void passedAndSignedIsSatisfied() {
        Decision d = GatePolicy.evaluate(SUBJECT, List.of(new QaRecord("kiln.image.starts", QaOutcome.PASSED, D)), List.of(SIG), "cand:5000");
        assertTrue(d.satisfied());
        assertEquals(List.of("test-case:kiln.image.starts passed", "signature:cosign present"), d.satisfiedRequirements());
    }

    @Test
    void resultsAndSignaturesForOtherDigestsOrNamesDoNotCount() {
        Decision d = GatePolicy.evaluate(SUBJECT, List.of(new QaRecord("kiln.image.starts", QaOutcome.PASSED, OTHER)),
                List.of(new SignatureRecord("cand:5000/hello:1.0-1", OTHER, "k", "cosign"),
                        new SignatureRecord("prod:5001/hello:1.0-1", D, "k", "cosign"),
                        new SignatureRecord("cand:5000/hello-other:1.0-1", D, "k", "cosign"),
                        new SignatureRecord("cand:5000/hello:1.0-1", D, "k", "simple-signing")), "cand:5000");
        assertEquals(List.of("test-case:kiln.image.starts missing", "signature:cosign missing"), d.unsatisfiedRequirements());
    }

    @Test
    void onlyAWaiverCanHelpOnceEveryResultIsInAndOneFailed() {
        QaRecord failed = new QaRecord("kiln.image.starts", QaOutcome.FAILED, D);
        assertTrue(GatePolicy.evaluate(SUBJECT, List.of(failed), List.of(SIG), "cand:5000").waiverOnly());
        assertTrue(GatePolicy.evaluate(SUBJECT, List.of(failed), List.of(), "cand:5000").waiverOnly(),
                "a signature still to come cannot satisfy a failed test case");
        assertFalse(GatePolicy.evaluate(SUBJECT, List.of(failed, new QaRecord("example.smoke", QaOutcome.RUNNING, D)),
                List.of(SIG), "cand:5000").waiverOnly(), "a result still running may change the picture");
        Policy strict = new Policy("strict", List.of("kiln.image.starts", "example.smoke"), true);
        assertFalse(GatePolicy.evaluate(strict, SUBJECT, List.of(failed), List.of(SIG), List.of(), "cand:5000").waiverOnly(),
                "a required result still missing");
        assertFalse(GatePolicy.evaluate(SUBJECT, List.of(new QaRecord("kiln.image.starts", QaOutcome.PASSED, D)), List.of(),
                "cand:5000").waiverOnly(), "a missing signature alone is waited for");
        assertFalse(GatePolicy.error("broken").waiverOnly(), "an evaluation error is fixed by an operator, not waived");
    }

    @Test
    void aScratchBuildNeedsNoSignature() {
        Subject scratch = new Subject("b2", "hello", true, "hello", "1.0", null, "cand:5000", "hello", D,
                List.of("scratch-b2"), false, null);
        Decision d = GatePolicy.evaluate(scratch, List.of(new QaRecord("kiln.image.starts", QaOutcome.PASSED, D)), List.of(),
                "cand:5000");
        assertTrue(d.satisfied());
        assertEquals(List.of("test-case:kiln.image.starts passed"), d.satisfiedRequirements());
    }

    @Test
    void outcomesOtherThanPassedAreNamed() {
        assertEquals(List.of("test-case:kiln.image.starts failed"), GatePolicy.evaluate(SUBJECT,
                List.of(new QaRecord("kiln.image.starts", QaOutcome.FAILED, D)), List.of(SIG), "cand:5000").unsatisfiedRequirements());
        assertEquals(List.of("test-case:kiln.image.starts error"), GatePolicy.evaluate(SUBJECT,
                List.of(new QaRecord("kiln.image.starts", QaOutcome.ERROR, D)), List.of(SIG), "cand:5000").unsatisfiedRequirements());
        assertEquals(List.of("test-case:kiln.image.starts missing"), GatePolicy.evaluate(SUBJECT,
                List.of(new QaRecord("kiln.image.starts", QaOutcome.RUNNING, D)), List.of(SIG), "cand:5000").unsatisfiedRequirements());
    }

    @Test
    void errorIsClosed() {
        assertFalse(GatePolicy.error("boom").satisfied());
    }

    static final Policy STRICT = new Policy("strict", List.of("kiln.image.starts", "example.smoke"), true);

    @Test
    void everyRequiredTestCaseOfThePolicyCounts() {
        Decision d = GatePolicy.evaluate(STRICT, SUBJECT, List.of(new QaRecord("kiln.image.starts", QaOutcome.PASSED, D)),
                List.of(SIG), List.of(), "cand:5000");
        assertFalse(d.satisfied());
        assertEquals("strict", d.policyId());
        assertEquals(List.of("test-case:kiln.image.starts passed", "signature:cosign present"), d.satisfiedRequirements());
        assertEquals(List.of("test-case:example.smoke missing"), d.unsatisfiedRequirements());
    }

    @Test
    void aWaiverSatisfiesAFailedOrMissingTestCaseButNotASignature() {
        List<Waiver> waivers = List.of(new Waiver("b1", "example.smoke", "flaky", "rita", Instant.now()),
                new Waiver("b1", "kiln.image.starts", "known issue", "rita", Instant.now()),
                new Waiver("other-build", "signature", "no", "rita", Instant.now()));
        Decision d = GatePolicy.evaluate(STRICT, SUBJECT, List.of(new QaRecord("kiln.image.starts", QaOutcome.FAILED, D)),
                List.of(), waivers, "cand:5000");
        assertEquals(List.of("test-case:kiln.image.starts waived", "test-case:example.smoke waived"), d.satisfiedRequirements());
        assertEquals(List.of("signature:cosign missing"), d.unsatisfiedRequirements());
        assertTrue(GatePolicy.evaluate(STRICT, SUBJECT, List.of(), List.of(SIG), waivers, "cand:5000").satisfied());
        // a waiver of another build does not count
        assertFalse(GatePolicy.evaluate(STRICT, SUBJECT, List.of(), List.of(SIG),
                List.of(new Waiver("b2", "example.smoke", "x", "rita", Instant.now()),
                        new Waiver("b2", "kiln.image.starts", "x", "rita", Instant.now())), "cand:5000").satisfied());
    }

    @Test
    void aPolicyMayNotRequireASignature() {
        Decision d = GatePolicy.evaluate(new Policy("unsigned-ok", List.of("kiln.image.starts"), false), SUBJECT,
                List.of(new QaRecord("kiln.image.starts", QaOutcome.PASSED, D)), List.of(), List.of(), "cand:5000");
        assertTrue(d.satisfied());
        assertEquals(List.of("test-case:kiln.image.starts passed"), d.satisfiedRequirements());
    }

    @Test
    void anyOtherKnownResultThatIsPendingOrNotPassedBlocksUnlessWaived() {
        List<QaRecord> results = List.of(new QaRecord("kiln.image.starts", QaOutcome.PASSED, D),
                new QaRecord("kiln.image.size", QaOutcome.RUNNING, D),
                new QaRecord("kiln.cst.app.says-hello", QaOutcome.FAILED, D),
                new QaRecord("kiln.image.labels", QaOutcome.PASSED, D),
                new QaRecord("hook.scan", QaOutcome.FAILED, OTHER));
        Decision d = GatePolicy.evaluate(Policy.BUILT_IN, SUBJECT, results, List.of(SIG), List.of(), "cand:5000");
        assertFalse(d.satisfied());
        assertEquals(List.of("test-case:kiln.cst.app.says-hello failed", "test-case:kiln.image.size pending"),
                d.unsatisfiedRequirements());

        List<QaRecord> settled = List.of(new QaRecord("kiln.image.starts", QaOutcome.PASSED, D),
                new QaRecord("kiln.image.size", QaOutcome.PASSED, D),
                new QaRecord("kiln.cst.app.says-hello", QaOutcome.FAILED, D));
        Decision waived = GatePolicy.evaluate(Policy.BUILT_IN, SUBJECT, settled, List.of(SIG),
                List.of(new Waiver("b1", "kiln.cst.app.says-hello", "flaky upstream mirror", "rel", Instant.now())), "cand:5000");
        assertTrue(waived.satisfied(), waived.unsatisfiedRequirements().toString());
        assertTrue(waived.satisfiedRequirements().contains("test-case:kiln.cst.app.says-hello waived"));

        // an external hook's result gates like Kiln's own
        Decision hook = GatePolicy.evaluate(Policy.BUILT_IN, SUBJECT, List.of(new QaRecord("kiln.image.starts", QaOutcome.PASSED, D),
                new QaRecord("acme.virus-scan", QaOutcome.FAILED, D)), List.of(SIG), List.of(), "cand:5000");
        assertEquals(List.of("test-case:acme.virus-scan failed"), hook.unsatisfiedRequirements());
    }
}
