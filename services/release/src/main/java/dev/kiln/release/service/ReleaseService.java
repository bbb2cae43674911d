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
import dev.kiln.release.client.ReleaseDatabase;
import dev.kiln.release.config.ReleaseConfig;
import dev.kiln.release.domain.Decision;
import dev.kiln.release.domain.SignatureRecord;
import dev.kiln.release.domain.Subject;
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
 * Release automation: stores every fact about a build (pushed image, QA results, signatures) whatever the order they
 * come in, evaluates the gate after each one, sends a gating decision when it changes, and promotes a satisfied,
 * non-scratch subject once, keeping its digest.
 */
@ApplicationScoped
public class ReleaseService {
    private static final Logger LOG = Logger.getLogger(ReleaseService.class);

    @Inject
    ReleaseDatabase db;

    @Inject
    RegistryClients registries;

    @Inject
    ReleaseConfig config;

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
        Decision decision;
        try {
            decision = GatePolicy.evaluate(subject, db.qaResults(c, buildId), db.signatures(c, buildId),
                    config.registry().candidate().address());
        } catch (SQLException | RuntimeException e) {
            LOG.errorf(e, "build %s: gate evaluation failed; the gate stays closed", buildId);
            decision = GatePolicy.error(e.getClass().getSimpleName());
        }
        Optional<GatingDecision> last = decode(subject.lastDecisionJson());
        boolean changed = last.isEmpty() || !last.get().subjectDigest().equals(subject.digest())
                || !decision.sameAs(new Decision(last.get().policyId(), last.get().satisfied(),
                        last.get().satisfiedRequirements(), last.get().unsatisfiedRequirements()));
        if (changed) {
            GatingDecision event = new GatingDecision(buildId, subject.subjectRepository(), subject.digest(), decision.satisfied(),
                    decision.satisfiedRequirements(), decision.unsatisfiedRequirements(), decision.policyId(), Instant.now());
            out.send(event);
            db.storeDecision(c, buildId, EventCodec.encode(event));
            LOG.infof("build %s: gate %s (satisfied %s, unsatisfied %s)", buildId, decision.satisfied() ? "open" : "closed",
                    decision.satisfiedRequirements(), decision.unsatisfiedRequirements());
        }
        if (decision.satisfied() && !subject.promoted()) {
            promote(c, subject, out);
        }
    }

    private void promote(Connection c, Subject subject, Outbox out) throws SQLException {
        String candidate = config.registry().candidate().address();
        String production = config.registry().production().address();
        List<String> tags = subject.productionTags();
        String from = subject.registry() + "/" + subject.repository() + "@" + subject.digest();
        String to = production + "/" + subject.name();
        if (!subject.registry().equals(candidate)) {
            out.send(new BuildFailed(subject.buildId(), Stage.RELEASE, "promotion-failed", "the image " + from
                    + " is not in the candidate registry " + candidate + ", so it cannot be promoted", false, Instant.now()));
            return;
        }
        int attempts = 1 + Math.max(0, config.release().copyRetries());
        long pause = config.release().backoffMillis();
        RegistryException failure = null;
        for (int attempt = 1; attempt <= attempts; attempt++) {
            try {
                ImageCopier.copy(registries.candidate(), subject.repository(), subject.digest(), registries.production(),
                        subject.name(), tags);
                failure = null;
                break;
            } catch (RegistryException e) {
                failure = e;
                LOG.warnf("build %s: copying %s to %s failed (attempt %d of %d): %s", subject.buildId(), from, to, attempt,
                        attempts, e.getMessage());
                if (attempt < attempts) {
                    sleep(pause);
                    pause *= 2;
                }
            }
        }
        if (failure != null) {
            out.send(new BuildFailed(subject.buildId(), Stage.RELEASE, "promotion-failed", "promoting " + from + " to " + to
                    + " failed after " + attempts + " attempts: " + failure.getMessage()
                    + "; check the registries, the promotion is tried again on the next event for this build", true, Instant.now()));
            return;
        }
        db.markPromoted(c, subject.buildId());
        out.send(new ImagePromoted(subject.buildId(), subject.registry(), subject.repository(), production, subject.name(),
                subject.digest(), tags, Instant.now()));
        LOG.infof("build %s: promoted %s to %s with tags %s", subject.buildId(), from, to, tags);
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
