package dev.kiln.release.service;

import dev.kiln.events.BuildFailed;
import dev.kiln.support.registry.ImageCopier;
import dev.kiln.support.text.Excerpt;
import dev.kiln.events.EventCodec;
import dev.kiln.events.GatingDecision;
import dev.kiln.events.ImagePromoted;
import dev.kiln.events.ImagePushed;
import dev.kiln.events.ImageSigned;
import dev.kiln.events.QaResult;
import dev.kiln.events.Stage;
import dev.kiln.release.client.RegistryClients;
import dev.kiln.release.client.ReleaseDatabase;
import dev.kiln.release.config.ReleaseConfig;
import dev.kiln.release.domain.Decision;
import dev.kiln.release.domain.Policy;
import dev.kiln.release.domain.Principal;
import dev.kiln.release.domain.Promotion;
import dev.kiln.release.domain.SignatureRecord;
import dev.kiln.release.domain.Subject;
import dev.kiln.release.domain.Waiver;
import dev.kiln.support.registry.RegistryClient;
import dev.kiln.support.registry.RegistryException;
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

    /** Where events go outside of a consumed message (REST requests). */
    @Inject
    Outbox outbox;

    public void onPushed(ImagePushed e, Outbox out) {
        Subject subject = new Subject(e.buildId(), e.component(), e.scratch(), e.nvr().name(), e.nvr().version(),
                e.nvr().release(), e.registry(), e.repository(), e.digest(), e.tags(), false, null);
        db.inTransaction(c -> {
            db.upsertPushed(c, subject);
            evaluate(c, e.buildId(), out);
            return null;
        });
    }

    public void onQaResult(QaResult e, Outbox out) {
        db.inTransaction(c -> {
            db.ensureSubject(c, e.buildId());
            db.lockSubject(c, e.buildId());
            db.upsertQaResult(c, e.buildId(), e.testCase(), e.outcome(), e.subjectDigest(), e.reporter(), e.time());
            evaluate(c, e.buildId(), out);
            return null;
        });
    }

    public void onSigned(ImageSigned e, Outbox out) {
        db.inTransaction(c -> {
            db.ensureSubject(c, e.buildId());
            db.lockSubject(c, e.buildId());
            db.insertSignature(c, e.buildId(), new SignatureRecord(e.reference(), e.digest(), e.keyId(), e.format()),
                    e.signatureLocation(), e.time());
            evaluate(c, e.buildId(), out);
            return null;
        });
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
     * the new decision is sent when it changed, and a now satisfied subject is promoted as usual.
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
            db.lockSubject(c, buildId).orElseThrow(() -> new ReleaseException(ReleaseException.Kind.UNKNOWN_BUILD,
                    "no event about build " + Excerpt.of(buildId) + " has reached the release service"));
            db.upsertWaiver(c, waiver);
            LOG.infof("build %s: %s waived test case %s: %s", buildId, by.user(), testCase, waiver.comment());
            evaluate(c, buildId, outbox);
            return null;
        });
        return waiver;
    }

    /** A manual promotion's outcome: the promotion, and whether this request made it (false: it existed already). */
    public record ManualPromotion(Promotion promotion, boolean created) {
    }

    /**
     * Promotes {@code buildId} to {@code to} (a registry address; production when empty) for a release engineer. The
     * gate is evaluated now and must be satisfied (a waiver can satisfy a test case). A build already promoted there
     * is not copied again and no second {@code image.promoted} is sent.
     */
    public ManualPromotion promote(String buildId, Optional<String> to, Principal by) {
        String address = to.filter(t -> !t.isBlank()).orElse(config.registry().production().address());
        RegistryClient target = registries.target(address).orElseThrow(() -> new ReleaseException(
                ReleaseException.Kind.UNKNOWN_TARGET, "release does not promote to " + Excerpt.of(address) + "; known registries: "
                        + String.join(", ", registries.targetAddresses())));
        return db.inTransaction(c -> {
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
            Optional<Promotion> existing = db.promotion(c, subject, address);
            if (existing.isEmpty() && subject.promoted() && address.equals(config.registry().production().address())) {
                existing = Optional.of(new Promotion(buildId, subject.registry(), subject.repository(), address, subject.name(),
                        subject.digest(), subject.productionTags(), AUTOMATION, Instant.now()));
            }
            if (existing.isPresent()) {
                return new ManualPromotion(existing.get(), false);
            }
            Decision decision = decide(c, subject);
            publish(c, subject, decision, outbox);
            if (!decision.satisfied()) {
                throw new ReleaseException(ReleaseException.Kind.GATE_CLOSED, "the gate of build " + buildId
                        + " is not satisfied: " + String.join(", ", decision.unsatisfiedRequirements())
                        + " (a release engineer may waive a failed or missing test case: POST /api/v1/waivers)", decision);
            }
            checkInCandidate(subject);
            try {
                copyWithRetries(subject, target);
            } catch (RegistryException e) {
                throw new ReleaseException(ReleaseException.Kind.COPY_FAILED, "promoting " + from(subject) + " to "
                        + address + "/" + subject.name() + " failed: " + e.getMessage());
            }
            Promotion promotion = record(c, subject, target, by.user(), outbox);
            LOG.infof("build %s: %s promoted %s to %s", buildId, by.user(), from(subject), promotion.reference());
            return new ManualPromotion(promotion, true);
        });
    }

    private void evaluate(Connection c, String buildId, Outbox out) throws SQLException {
        Subject subject = db.lockSubject(c, buildId).orElseThrow(() -> new IllegalStateException("subject " + buildId + " vanished"));
        if (!subject.pushed()) {
            LOG.debugf("build %s: waiting for image.pushed before evaluating the gate", buildId);
            return;
        }
        if (subject.scratch()) {
            LOG.debugf("build %s: scratch build, never gated nor promoted", buildId);
            return;
        }
        Decision decision = decide(c, subject);
        publish(c, subject, decision, out);
        if (decision.satisfied() && !subject.promoted()) {
            autoPromote(c, subject, out);
        }
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
            LOG.errorf(e, "build %s: gate evaluation failed; the gate stays closed", subject.buildId());
            return GatePolicy.error(policy.id(), "see the release service's log");
        }
    }

    /** Sends and stores {@code decision} when it differs from the last one sent for the subject. */
    private void publish(Connection c, Subject subject, Decision decision, Outbox out) throws SQLException {
        Optional<GatingDecision> last = decode(subject.lastDecisionJson());
        boolean changed = last.isEmpty() || !last.get().subjectDigest().equals(subject.digest())
                || !decision.sameAs(new Decision(last.get().policyId(), last.get().satisfied(),
                        last.get().satisfiedRequirements(), last.get().unsatisfiedRequirements()));
        if (!changed) {
            return;
        }
        GatingDecision event = new GatingDecision(subject.buildId(), subject.subjectRepository(), subject.digest(),
                decision.satisfied(), decision.satisfiedRequirements(), decision.unsatisfiedRequirements(), decision.policyId(),
                Instant.now());
        out.send(event);
        db.storeDecision(c, subject.buildId(), EventCodec.encode(event));
        LOG.infof("build %s: gate %s under policy %s (satisfied %s, unsatisfied %s)", subject.buildId(),
                decision.satisfied() ? "open" : "closed", decision.policyId(), decision.satisfiedRequirements(),
                decision.unsatisfiedRequirements());
    }

    private void autoPromote(Connection c, Subject subject, Outbox out) throws SQLException {
        String production = config.registry().production().address();
        try {
            checkInCandidate(subject);
        } catch (ReleaseException e) {
            out.send(new BuildFailed(subject.buildId(), Stage.RELEASE, "promotion-failed", e.getMessage(), false, Instant.now()));
            return;
        }
        try {
            copyWithRetries(subject, registries.production());
        } catch (RegistryException e) {
            out.send(new BuildFailed(subject.buildId(), Stage.RELEASE, "promotion-failed", "promoting " + from(subject) + " to "
                    + production + "/" + subject.name() + " failed after " + attempts() + " attempts: " + e.getMessage()
                    + "; check the registries, the promotion is tried again on the next event for this build", true, Instant.now()));
            return;
        }
        Promotion promotion = record(c, subject, registries.production(), AUTOMATION, out);
        LOG.infof("build %s: promoted %s to %s with tags %s", subject.buildId(), from(subject), promotion.reference(),
                promotion.tags());
    }

    private void checkInCandidate(Subject subject) {
        String candidate = config.registry().candidate().address();
        if (!subject.registry().equals(candidate)) {
            throw new ReleaseException(ReleaseException.Kind.NOT_PROMOTABLE, "the image " + from(subject)
                    + " is not in the candidate registry " + candidate + ", so it cannot be promoted");
        }
    }

    /**
     * Copies image and attachments (signatures, SBOM) to {@code target}, retrying registry errors with a doubling
     * pause; throws the last error when every attempt failed.
     */
    private void copyWithRetries(Subject subject, RegistryClient target) {
        int attempts = attempts();
        long pause = config.release().backoffMillis();
        for (int attempt = 1; ; attempt++) {
            try {
                ImageCopier.copy(registries.candidate(), subject.repository(), subject.digest(), target, subject.name(),
                        subject.productionTags());
                ImageCopier.Attachments attachments = ImageCopier.copyAttachments(registries.candidate(), subject.repository(),
                        subject.digest(), target, subject.name());
                LOG.debugf("build %s: attachments copied to %s: %s", subject.buildId(), target.registry(), attachments.copied());
                return;
            } catch (RegistryException e) {
                LOG.warnf("build %s: copying %s to %s/%s failed (attempt %d of %d): %s", subject.buildId(), from(subject),
                        target.registry(), subject.name(), attempt, attempts, e.getMessage());
                if (attempt >= attempts) {
                    throw e;
                }
                sleep(pause);
                pause *= 2;
            }
        }
    }

    /** Records a done copy (and marks a production promotion), then announces it; called after the copy is verified. */
    private Promotion record(Connection c, Subject subject, RegistryClient target, String by, Outbox out) throws SQLException {
        Promotion promotion = new Promotion(subject.buildId(), subject.registry(), subject.repository(), target.registry(),
                subject.name(), subject.digest(), subject.productionTags(), by, Instant.now());
        db.insertPromotion(c, promotion);
        if (target.registry().equals(config.registry().production().address())) {
            db.markPromoted(c, subject.buildId());
        }
        out.send(new ImagePromoted(subject.buildId(), subject.registry(), subject.repository(), target.registry(),
                subject.name(), subject.digest(), promotion.tags(), promotion.time()));
        return promotion;
    }

    private int attempts() {
        return 1 + Math.max(0, config.release().copyRetries());
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

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting to retry a promotion", e);
        }
    }
}
