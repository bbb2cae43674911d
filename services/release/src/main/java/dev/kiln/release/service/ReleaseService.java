package dev.kiln.release.service;

import dev.kiln.events.BuildFailed;
import dev.kiln.events.EventCodec;
import dev.kiln.events.GatingDecision;
import dev.kiln.events.ImagePromoted;
import dev.kiln.events.ImagePushed;
import dev.kiln.events.ImageSigned;
import dev.kiln.events.QaResult;
import dev.kiln.events.Stage;
import dev.kiln.release.client.RegistryClients;
import dev.kiln.release.config.ReleaseConfig;
import dev.kiln.release.domain.Decision;
import dev.kiln.release.domain.Policy;
import dev.kiln.release.domain.Principal;
import dev.kiln.release.domain.Promotion;
import dev.kiln.release.domain.SignatureRecord;
import dev.kiln.release.domain.Subject;
import dev.kiln.release.domain.Waiver;
import dev.kiln.release.store.ReleaseDatabase;
import dev.kiln.release.store.ReleaseDatabase.PromotionJob;
import dev.kiln.support.messaging.FailureKind;
import dev.kiln.support.messaging.Outbox;
import dev.kiln.support.messaging.RetryPolicy;
import dev.kiln.support.registry.ImageCopier;
import dev.kiln.support.registry.RegistryClient;
import dev.kiln.support.registry.RegistryException;
import dev.kiln.support.text.Excerpt;
import dev.kiln.support.text.Failures;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Release automation: stores every fact about a build (pushed image, QA results, signatures, waivers) whatever the
 * order they come in, evaluates the component's gating policy after each one, sends a gating decision when it changes,
 * and promotes a satisfied, non-scratch subject once, keeping its digest and carrying its signatures and SBOM along.
 * Release engineers may promote by hand (to production or another configured registry), still through the gate.
 * <p>
 * Every event goes out through the transactional {@link Outbox}, written in the transaction that made it true. No
 * registry copy happens inside a transaction: an automatic promotion is queued on the subject
 * ({@code promotion_due_at}) and carried out by {@link #runDuePromotions()} (the {@link ReleaseWorker}) under a
 * per-build advisory lock, then recorded in a transaction of its own; transient copy failures are tried again with
 * the shared {@link RetryPolicy} backoff for as long as they last, permanent ones fail the build.
 * <p>
 * Only the gate ends a build at QA: when every QA result is in and one did not pass, only a waiver could satisfy the
 * gate; once {@code kiln.release.waiver-window} has passed without one, the decision is sent again as final, and the
 * hub ends the build FAILED at stage qa. A final decision never changes.
 * <p>
 * Longer than the house's 300 lines: the facts, the gate, waivers and both kinds of promotion share one decision
 * rule and one promotion path, which must not drift apart; the policy itself is {@link GatePolicy}.
 */
@ApplicationScoped
public class ReleaseService {
    private static final Logger LOG = Logger.getLogger(ReleaseService.class);
    /** Who automatic promotions are recorded as. */
    static final String AUTOMATION = "kiln-release";

    @Inject
    ReleaseDatabase db;

    @Inject
    RegistryClients registries;

    @Inject
    ReleaseConfig config;

    @Inject
    PolicyStore policies;

    @Inject
    Outbox outbox;

    @Inject
    ReleaseWorker worker;

    private final RetryPolicy retry = RetryPolicy.configured();

    public void onPushed(ImagePushed e) {
        Subject subject = new Subject(e.buildId(), e.component(), e.scratch(), e.nvr().name(), e.nvr().version(),
                e.nvr().release(), e.registry(), e.repository(), e.digest(), e.tags(), false, null);
        db.inTransaction(c -> {
            db.upsertPushed(c, subject);
            evaluate(c, e.buildId());
            return null;
        });
        worker.wake();
    }

    public void onQaResult(QaResult e) {
        db.inTransaction(c -> {
            db.ensureSubject(c, e.buildId());
            db.lockSubject(c, e.buildId());
            db.upsertQaResult(c, e.buildId(), e.testCase(), e.outcome(), e.subjectDigest(), e.reporter(), e.time());
            evaluate(c, e.buildId());
            return null;
        });
        worker.wake();
    }

    public void onSigned(ImageSigned e) {
        db.inTransaction(c -> {
            db.ensureSubject(c, e.buildId());
            db.lockSubject(c, e.buildId());
            db.insertSignature(c, e.buildId(), new SignatureRecord(e.reference(), e.digest(), e.keyId(), e.format()),
                    e.signatureLocation(), e.time());
            evaluate(c, e.buildId());
            return null;
        });
        worker.wake();
    }

    /** The last decision sent for {@code buildId}, as its event. */
    public Optional<GatingDecision> lastDecision(String buildId) {
        return db.findSubject(buildId).map(Subject::lastDecisionJson).flatMap(ReleaseService::decode);
    }

    /** The last decision of every build whose subject has {@code digest}. */
    public List<GatingDecision> decisionsForDigest(String digest) {
        return db.decisionsByDigest(digest).stream().map(ReleaseService::decode).flatMap(Optional::stream).toList();
    }

    /**
     * Waives a failed or missing test case of a build (a release engineer's call), then evaluates the gate again:
     * the new decision is sent when it changed, and a now satisfied subject is queued for promotion as usual. A build
     * whose decision is final can no longer be waived.
     */
    public Waiver waive(String buildId, String testCase, String comment, Principal by) {
        if (testCase == null || !testCase.matches("[a-z0-9]+([._-][a-z0-9]+)*")) {
            throw new ReleaseException(ReleaseException.Kind.INVALID, "testCase must be a dotted lower-case name like kiln.image.starts");
        }
        if (comment == null || comment.isBlank()) {
            throw new ReleaseException(ReleaseException.Kind.INVALID, "a waiver needs a comment that says why");
        }
        Waiver waiver = new Waiver(buildId, testCase, comment.strip(), by.user(), Instant.now());
        db.inTransaction(c -> {
            Subject subject = db.lockSubject(c, buildId).orElseThrow(() -> new ReleaseException(ReleaseException.Kind.UNKNOWN_BUILD,
                    "no event about build " + Excerpt.of(buildId) + " has reached the release service"));
            if (subject.decisionFinal()) {
                throw new ReleaseException(ReleaseException.Kind.DECISION_FINAL, "the gate's decision for build " + buildId
                        + " is final (the waiver window of " + window() + " after the last QA result has passed), so a"
                        + " waiver no longer changes it; submit a new build", lastDecision(subject));
            }
            db.upsertWaiver(c, waiver);
            LOG.infof("build %s: %s waived test case %s: %s", buildId, by.user(), testCase, waiver.comment());
            evaluate(c, buildId);
            return null;
        });
        worker.wake();
        return waiver;
    }

    /** A manual promotion's outcome: the promotion, and whether this request made it (false: it existed already). */
    public record ManualPromotion(Promotion promotion, boolean created) {
    }

    /** What the first transaction of a manual promotion found: a promotion made before, a closed gate, or work. */
    private record Prepared(Promotion existing, Decision closed, Subject subject) {
    }

    /**
     * Promotes {@code buildId} to {@code to} (a registry address; production when empty) for a release engineer. The
     * gate is evaluated now and must be satisfied (a waiver can satisfy a test case). A build already promoted there
     * is not copied again and no second {@code image.promoted} is sent. The copy runs outside any transaction, tried
     * {@code kiln.messaging.retry.attempts} times when it fails transiently.
     */
    public ManualPromotion promote(String buildId, Optional<String> to, Principal by) {
        String address = to.filter(t -> !t.isBlank()).orElse(config.registry().production().address());
        RegistryClient target = registries.target(address).orElseThrow(() -> new ReleaseException(
                ReleaseException.Kind.UNKNOWN_TARGET, "release does not promote to " + Excerpt.of(address) + "; known registries: "
                        + String.join(", ", registries.targetAddresses())));
        Prepared prepared = db.inTransaction(c -> {
            Subject subject = promotable(c, buildId);
            Optional<Promotion> existing = existingPromotion(c, subject, address);
            if (existing.isPresent()) {
                return new Prepared(existing.get(), null, subject);
            }
            Decision decision = evaluate(c, buildId);
            if (decision == null) { // a final decision whose stored copy cannot be read: closed all the same
                decision = GatePolicy.error(Policy.DEFAULT_ID, "the final decision of build " + buildId + " is unreadable");
            }
            return new Prepared(null, decision.satisfied() ? null : decision, subject);
        });
        worker.wake();
        if (prepared.existing() != null) {
            return new ManualPromotion(prepared.existing(), false);
        }
        if (prepared.closed() != null) {
            Decision d = prepared.closed();
            throw new ReleaseException(ReleaseException.Kind.GATE_CLOSED, "the gate of build " + buildId
                    + " is not satisfied: " + String.join(", ", d.unsatisfiedRequirements())
                    + (prepared.subject().decisionFinal() ? " (the decision is final)"
                            : " (a release engineer may waive a failed or missing test case: POST /api/v1/waivers)"), d);
        }
        Subject subject = prepared.subject();
        checkInCandidate(subject);
        try {
            retry.bounded("build " + buildId + ": copying " + from(subject) + " to " + address, () -> {
                copy(subject, target);
                return null;
            });
        } catch (RegistryException e) {
            throw new ReleaseException(ReleaseException.Kind.COPY_FAILED, "promoting " + from(subject) + " to "
                    + address + "/" + subject.name() + " failed: " + e.getMessage());
        }
        return db.inTransaction(c -> {
            Subject locked = promotable(c, buildId);
            Optional<Promotion> existing = existingPromotion(c, locked, address);
            if (existing.isPresent()) {
                return new ManualPromotion(existing.get(), false);
            }
            Promotion promotion = record(c, locked, target, by.user());
            LOG.infof("build %s: %s promoted %s to %s", buildId, by.user(), from(locked), promotion.reference());
            return new ManualPromotion(promotion, true);
        });
    }

    private Subject promotable(Connection c, String buildId) throws SQLException {
        Subject subject = db.lockSubject(c, buildId).orElseThrow(() -> new ReleaseException(
                ReleaseException.Kind.UNKNOWN_BUILD, "no event about build " + Excerpt.of(buildId) + " has reached the release service"));
        if (!subject.pushed()) {
            throw new ReleaseException(ReleaseException.Kind.NOT_PROMOTABLE, "build " + buildId
                    + " has no pushed image yet (image.pushed has not arrived)");
        }
        if (subject.scratch()) {
            throw new ReleaseException(ReleaseException.Kind.NOT_PROMOTABLE, "build " + buildId
                    + " is a scratch build; scratch builds are never promoted");
        }
        return subject;
    }

    private Optional<Promotion> existingPromotion(Connection c, Subject subject, String address) throws SQLException {
        Optional<Promotion> existing = db.promotion(c, subject, address);
        if (existing.isEmpty() && subject.promoted() && address.equals(config.registry().production().address())) {
            existing = Optional.of(new Promotion(subject.buildId(), subject.registry(), subject.repository(), address, subject.name(),
                    subject.digest(), subject.productionTags(), AUTOMATION, Instant.now()));
        }
        return existing;
    }

    /**
     * Evaluates the gate of {@code buildId} in {@code c}'s transaction (its subject row locked): sends the decision
     * when it changed, marks since when only a waiver could satisfy it and sends it as final once the waiver window
     * has passed, and queues the promotion of a satisfied, non-scratch subject. Answers the decision; null before
     * image.pushed. A final decision is answered as it was sent.
     */
    private Decision evaluate(Connection c, String buildId) throws SQLException {
        Subject subject = db.lockSubject(c, buildId).orElseThrow(() -> new IllegalStateException("subject " + buildId + " vanished"));
        if (!subject.pushed()) {
            LOG.debugf("build %s: waiting for image.pushed before evaluating the gate", buildId);
            return null;
        }
        if (subject.decisionFinal()) {
            LOG.debugf("build %s: the gate's decision is final", buildId);
            return lastDecision(subject);
        }
        Decision decision = decide(c, subject);
        Instant now = Instant.now();
        boolean makeFinal = false;
        if (decision.waiverOnly()) {
            Instant since = subject.failingSince() == null ? now : subject.failingSince();
            if (subject.failingSince() == null) {
                db.setFailingSince(c, buildId, since);
            }
            makeFinal = !since.plus(window()).isAfter(now);
        } else if (subject.failingSince() != null) {
            db.setFailingSince(c, buildId, null);
        }
        publish(c, subject, decision, makeFinal);
        if (decision.satisfied() && !subject.scratch() && !subject.promoted()) {
            db.queuePromotion(c, buildId, now);
        }
        return decision;
    }

    /** The gate's decision now; any error closes it (fail closed). */
    private Decision decide(Connection c, Subject subject) {
        Policy policy;
        try {
            policy = policies.policyFor(subject.component());
        } catch (RuntimeException e) {
            LOG.errorf("build %s: no usable gating policy (%s); the gate stays closed", subject.buildId(), e.getMessage());
            return GatePolicy.error(subject.component() == null ? Policy.DEFAULT_ID : subject.component(), e.getMessage());
        }
        try {
            return GatePolicy.evaluate(policy, subject, db.qaResults(c, subject.buildId()), db.signatures(c, subject.buildId()),
                    db.waivers(c, subject.buildId()), config.registry().candidate().address());
        } catch (SQLException | RuntimeException e) {
            if (FailureKind.isTransient(e)) {
                throw e instanceof RuntimeException r ? r : new ReleaseDatabase.DatabaseException(e.getMessage(), e);
            }
            LOG.errorf(e, "build %s: gate evaluation failed; the gate stays closed", subject.buildId());
            return GatePolicy.error(policy.id(), "see the release service's log");
        }
    }

    /** Adds {@code decision} to the outbox and stores it when it differs from the last one sent for the subject. */
    private void publish(Connection c, Subject subject, Decision decision, boolean makeFinal) throws SQLException {
        Optional<GatingDecision> last = decode(subject.lastDecisionJson());
        boolean changed = last.isEmpty() || !last.get().subjectDigest().equals(subject.digest())
                || last.get().finalized() != makeFinal
                || !decision.sameAs(new Decision(last.get().policyId(), last.get().satisfied(),
                        last.get().satisfiedRequirements(), last.get().unsatisfiedRequirements()));
        if (!changed) {
            return;
        }
        GatingDecision event = new GatingDecision(subject.buildId(), subject.subjectRepository(), subject.digest(),
                decision.satisfied(), decision.satisfiedRequirements(), decision.unsatisfiedRequirements(), decision.policyId(),
                Instant.now(), makeFinal);
        outbox.add(c, event);
        db.storeDecision(c, subject.buildId(), EventCodec.encode(event), makeFinal);
        LOG.infof("build %s: gate %s%s under policy %s (satisfied %s, unsatisfied %s)", subject.buildId(),
                decision.satisfied() ? "open" : "closed", makeFinal ? " for good" : "", decision.policyId(),
                decision.satisfiedRequirements(), decision.unsatisfiedRequirements());
    }

    /**
     * Sends the decisions whose waiver window has passed as final (each evaluated again first: a waiver or a new
     * result in the meantime counts). Called by the {@link ReleaseWorker}; several instances may run it at once, the
     * subject's row lock makes one of them send.
     */
    public void finalizeDueDecisions() {
        for (String buildId : db.failingSince(Instant.now().minus(window()))) {
            db.inTransaction(c -> evaluate(c, buildId));
        }
    }

    /**
     * Carries out the automatic promotions that are due, each under an advisory lock named after its build (another
     * instance working on it is left alone). Called by the {@link ReleaseWorker}.
     */
    public void runDuePromotions() {
        for (PromotionJob job : db.duePromotions(Instant.now(), 10)) {
            db.whileLocked("kiln-promote:" + job.buildId(), () -> promoteQueued(job));
        }
    }

    /** One attempt at a queued automatic promotion: copy outside a transaction, then record it in one. */
    private void promoteQueued(PromotionJob job) {
        String buildId = job.buildId();
        Subject subject = db.findSubject(buildId).orElse(null);
        if (subject == null || subject.promoted() || subject.scratch() || !subject.pushed()) {
            db.inTransaction(c -> {
                db.promotionDone(c, buildId);
                return null;
            });
            return;
        }
        String production = config.registry().production().address();
        try {
            checkInCandidate(subject);
            copy(subject, registries.production());
        } catch (RuntimeException e) {
            FailureKind kind = e instanceof ReleaseException ? FailureKind.PERMANENT : FailureKind.of(e);
            int attempt = job.attempts() + 1;
            String why = "promoting " + from(subject) + " to " + production + "/" + subject.name() + " failed: "
                    + (e instanceof ReleaseException ? e.getMessage() : Failures.message(e));
            if (kind == FailureKind.TRANSIENT || (kind == FailureKind.UNEXPECTED && attempt < retry.unexpectedAttempts())) {
                java.time.Duration pause = retry.delay(attempt);
                LOG.warnf("build %s: %s (attempt %d; trying again in %d ms)", buildId, why, attempt, pause.toMillis());
                db.promotionRetry(buildId, Instant.now().plus(pause));
                return;
            }
            LOG.errorf("build %s: %s; the promotion is not tried again", buildId, why);
            db.inTransaction(c -> {
                db.lockSubject(c, buildId);
                db.promotionFailed(c, buildId, why);
                outbox.add(c, new BuildFailed(buildId, Stage.RELEASE, "promotion-failed", why
                        + "; fix the registries or the image, then submit a new build", false, Instant.now()));
                return null;
            });
            return;
        }
        db.inTransaction(c -> {
            Subject locked = db.lockSubject(c, buildId).orElseThrow();
            if (!locked.promoted()) {
                Promotion promotion = record(c, locked, registries.production(), AUTOMATION);
                LOG.infof("build %s: promoted %s to %s with tags %s", buildId, from(locked), promotion.reference(),
                        promotion.tags());
            }
            db.promotionDone(c, buildId);
            return null;
        });
    }

    private void checkInCandidate(Subject subject) {
        String candidate = config.registry().candidate().address();
        if (!subject.registry().equals(candidate)) {
            throw new ReleaseException(ReleaseException.Kind.NOT_PROMOTABLE, "the image " + from(subject)
                    + " is not in the candidate registry " + candidate + ", so it cannot be promoted");
        }
    }

    /** Copies image and attachments (signatures, SBOM) to {@code target}; the caller decides about retries. */
    private void copy(Subject subject, RegistryClient target) {
        ImageCopier.copy(registries.candidate(), subject.repository(), subject.digest(), target, subject.name(),
                subject.productionTags());
        ImageCopier.Attachments attachments = ImageCopier.copyAttachments(registries.candidate(), subject.repository(),
                subject.digest(), target, subject.name());
        LOG.debugf("build %s: attachments copied to %s: %s", subject.buildId(), target.registry(), attachments.copied());
    }

    /** Records a done copy (and marks a production promotion), then announces it; called after the copy is verified. */
    private Promotion record(Connection c, Subject subject, RegistryClient target, String by) throws SQLException {
        Promotion promotion = new Promotion(subject.buildId(), subject.registry(), subject.repository(), target.registry(),
                subject.name(), subject.digest(), subject.productionTags(), by, Instant.now());
        db.insertPromotion(c, promotion);
        if (target.registry().equals(config.registry().production().address())) {
            db.markPromoted(c, subject.buildId());
        }
        outbox.add(c, new ImagePromoted(subject.buildId(), subject.registry(), subject.repository(), target.registry(),
                subject.name(), subject.digest(), promotion.tags(), promotion.time()));
        return promotion;
    }

    private java.time.Duration window() {
        return config.release().waiverWindow();
    }

    private static Decision lastDecision(Subject subject) {
        return decode(subject.lastDecisionJson()).map(d -> new Decision(d.policyId(), d.satisfied(),
                d.satisfiedRequirements(), d.unsatisfiedRequirements())).orElse(null);
    }

    private static String from(Subject subject) {
        return subject.registry() + "/" + subject.repository() + "@" + subject.digest();
    }

    private static Optional<GatingDecision> decode(String json) {
        if (json == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(EventCodec.decode(json, GatingDecision.class));
        } catch (RuntimeException e) {
            LOG.warnf("stored decision is unreadable (%s); it counts as none", e.getMessage());
            return Optional.empty();
        }
    }
}
