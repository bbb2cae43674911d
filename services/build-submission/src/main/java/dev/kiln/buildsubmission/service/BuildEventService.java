package dev.kiln.buildsubmission.service;

import dev.kiln.buildsubmission.domain.Build;
import dev.kiln.buildsubmission.domain.Failure;
import dev.kiln.buildsubmission.domain.ImageLocation;
import dev.kiln.buildsubmission.domain.QaRecord;
import dev.kiln.buildsubmission.domain.SignatureRecord;
import dev.kiln.buildsubmission.domain.StateMachine;
import dev.kiln.buildsubmission.domain.Transition;
import dev.kiln.buildsubmission.store.BuildStore;
import dev.kiln.buildsubmission.store.Transactions;
import dev.kiln.events.BuildCanceled;
import dev.kiln.events.BuildCompleted;
import dev.kiln.events.BuildFailed;
import dev.kiln.events.BuildLog;
import dev.kiln.events.BuildStarted;
import dev.kiln.events.BuildState;
import dev.kiln.events.BuildStateChanged;
import dev.kiln.events.EventType;
import dev.kiln.events.GatingDecision;
import dev.kiln.events.ImagePromoted;
import dev.kiln.events.ImagePushed;
import dev.kiln.events.ImageSigned;
import dev.kiln.events.KilnEvent;
import dev.kiln.events.QaResult;
import dev.kiln.support.messaging.Outbox;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Applies the pipeline's events to the builds. Each event is handled in one transaction that holds the build's row
 * lock: the event id is remembered (a redelivery changes nothing), the event's facts are recorded (idempotently), the
 * state machine decides, a state change is written with its history row and its {@code kiln.build.state.changed}
 * event is added to the outbox in the same transaction (the relay sends it after the commit).
 */
@ApplicationScoped
public class BuildEventService {
    private static final Logger LOG = Logger.getLogger(BuildEventService.class);

    /** Records an event's facts and answers the transition, if any. */
    @FunctionalInterface
    private interface Step {
        Optional<Transition> apply(Connection c, Build build, Instant now) throws SQLException;
    }

    private final Transactions tx;
    private final BuildStore store;
    private final Outbox outbox;

    public BuildEventService(Transactions tx, BuildStore store, Outbox outbox) {
        this.tx = tx;
        this.store = store;
        this.outbox = outbox;
    }

    public void onStarted(String eventId, BuildStarted e) {
        apply(eventId, e, (c, b, now) -> {
            store.recordStarted(c, b.id(), e.workerId(), e.dockerHost(), now);
            return StateMachine.onBuilding(snapshot(b));
        });
    }

    public void onLog(String eventId, BuildLog e) {
        tx.inTransaction(c -> {
            if (store.find(c, e.buildId()).isEmpty()) {
                LOG.debugf("log batch %d for unknown build %s ignored", e.sequence(), e.buildId());
            } else {
                store.insertLog(c, e.buildId(), e.sequence(), e.lines());
            }
            return null;
        });
    }

    public void onCompleted(String eventId, BuildCompleted e) {
        apply(eventId, e, (c, b, now) -> {
            if (b.built().imageId() != null && !b.built().imageId().equals(e.imageId())) {
                // A redelivered build.requested was built a second time: the first image is the one registry-push
                // ships (it refuses to replace it), so its facts stay.
                LOG.warnf("build %s: a second build.completed names image %s; the build's image stays %s", b.id(),
                        e.imageId(), b.built().imageId());
                return Optional.empty();
            }
            store.recordCompleted(c, b.id(), e.parentImage(), e.parentDigest(), e.imageId(), e.sizeBytes(),
                    e.labels(), e.contentManifest(), e.layers(), now);
            return StateMachine.onBuilding(snapshot(b));
        });
    }

    public void onFailed(String eventId, BuildFailed e) {
        apply(eventId, e, (c, b, now) -> StateMachine.onFailed(snapshot(b),
                new Failure(e.stage(), e.reason(), e.message())));
    }

    public void onCanceled(String eventId, BuildCanceled e) {
        apply(eventId, e, (c, b, now) -> StateMachine.onCanceled(snapshot(b)));
    }

    public void onPushed(String eventId, ImagePushed e) {
        apply(eventId, e, (c, b, now) -> {
            if (b.delivery().candidate() != null && !b.delivery().candidate().digest().equals(e.digest())) {
                LOG.warnf("build %s: candidate %s replaced by %s", b.id(), b.delivery().candidate().reference(),
                        e.reference());
            }
            store.recordCandidate(c, b.id(), new ImageLocation(e.registry(), e.repository(), e.digest(), e.tags()), now);
            return StateMachine.onPushed(snapshot(b));
        });
    }

    public void onQaResult(String eventId, QaResult e) {
        apply(eventId, e, (c, b, now) -> {
            if (b.delivery().candidate() != null && !b.delivery().candidate().digest().equals(e.subjectDigest())) {
                LOG.infof("build %s: QA result %s for %s ignored, the candidate is %s", b.id(), e.testCase(),
                        e.subjectDigest(), b.delivery().candidate().digest());
                return Optional.empty();
            }
            QaRecord existing = b.delivery().qaResults().stream().filter(r -> r.testCase().equals(e.testCase()))
                    .findFirst().orElse(null);
            if (!StateMachine.supersedes(existing, e.outcome(), e.time())) {
                LOG.debugf("build %s: stale QA result %s %s ignored", b.id(), e.testCase(), e.outcome());
                return Optional.empty();
            }
            QaRecord record = new QaRecord(e.testCase(), e.subjectDigest(), e.outcome(), e.summary(), e.reporter(),
                    e.logUrl(), e.time());
            store.upsertQa(c, b.id(), record);
            return StateMachine.onQaResult(snapshot(reload(c, b)));
        });
    }

    public void onSigned(String eventId, ImageSigned e) {
        apply(eventId, e, (c, b, now) -> {
            store.insertSignature(c, b.id(), new SignatureRecord(e.reference(), e.digest(), e.format(), e.keyId()),
                    e.signatureLocation());
            return StateMachine.onSigned(snapshot(reload(c, b)));
        });
    }

    public void onGating(String eventId, GatingDecision e) {
        apply(eventId, e, (c, b, now) -> {
            if (b.delivery().candidate() != null && !b.delivery().candidate().digest().equals(e.subjectDigest())) {
                LOG.infof("build %s: gating decision for %s ignored, the candidate is %s", b.id(), e.subjectDigest(),
                        b.delivery().candidate().digest());
                return Optional.empty();
            }
            return StateMachine.onGating(snapshot(b), new StateMachine.Gate(e.satisfied(), e.finalized(), e.policyId(),
                    e.unsatisfiedRequirements()));
        });
    }

    public void onPromoted(String eventId, ImagePromoted e) {
        apply(eventId, e, (c, b, now) -> {
            store.recordPromoted(c, b.id(), new ImageLocation(e.toRegistry(), e.toRepository(), e.digest(), e.tags()),
                    now);
            return StateMachine.onPromoted(snapshot(reload(c, b)));
        });
    }

    private void apply(String eventId, KilnEvent event, Step step) {
        EventType type = EventType.of(event);
        tx.inTransaction(c -> {
            if (eventId != null && !store.markProcessed(c, eventId, type.topic())) {
                LOG.debugf("%s %s for build %s seen before, ignored", type.ceType(), eventId, event.buildId());
                return null;
            }
            Optional<Build> locked = store.lock(c, event.buildId());
            if (locked.isEmpty()) {
                LOG.warnf("%s for unknown build %s ignored", type.ceType(), event.buildId());
                return null;
            }
            Build b = locked.get();
            Instant now = Instant.now();
            // the history records when the event says it happened; the build's updated_at when the hub learnt it
            Instant at = event.time() == null ? now : event.time();
            Optional<Transition> t = step.apply(c, b, now);
            // an event that proves a state the build was only inferred to have passed gives that state its own time
            Optional<BuildState> proven = StateMachine.proves(event, b.request().scratch())
                    .filter(state -> b.timeline().history().stream().anyMatch(h -> h.inferred() && h.state() == state));
            if (proven.isPresent() && store.proveHistory(c, b.id(), proven.get(), at)) {
                LOG.infof("build %s: %s seen (was inferred) on %s", b.id(), proven.get(), type.ceType());
            }
            if (t.isPresent()) {
                Transition tr = t.get();
                List<BuildState> passed = StateMachine.passedOver(tr.from(), tr.to(), b.request().scratch());
                store.applyTransition(c, b.id(), tr, now, at, passed);
                if (!passed.isEmpty()) {
                    LOG.infof("build %s: %s inferred (%s came first)", b.id(), passed, type.ceType());
                }
                Failure f = tr.failure();
                // announced through the outbox, in this transaction
                outbox.add(c, new BuildStateChanged(b.id(), b.request().component(), tr.from(), tr.to(),
                        f == null ? null : f.stage(), f == null ? null : f.reason(), f == null ? null : f.message(), now));
                LOG.infof("build %s: %s -> %s on %s", b.id(), tr.from(), tr.to(), type.ceType());
            }
            return null;
        });
    }

    private Build reload(Connection c, Build b) throws SQLException {
        return store.find(c, b.id()).orElse(b);
    }

    private static StateMachine.Snapshot snapshot(Build b) {
        Build.Delivery d = b.delivery();
        return new StateMachine.Snapshot(b.state(), b.request().scratch(), d.candidate(), d.qaResults(), d.signatures(),
                d.promoted());
    }
}
