package dev.kiln.qa.service;

import dev.kiln.events.QaResult;
import dev.kiln.qa.domain.StoredResult;
import dev.kiln.qa.store.QaDatabase;
import dev.kiln.support.messaging.Outbox;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

/**
 * Every outcome change: stored (the results store is the record) and, in the same transaction, written to the
 * outbox as {@code kiln.qa.result}, which the relay sends after the commit; a repeat of a stored result sends nothing
 * again. A caller acknowledges its input (or answers its REST request) only once both are durable.
 */
@ApplicationScoped
public class ResultRecorder {
    /** The CloudEvents source of qa's events; results coming back from Kafka with it are qa's own. */
    public static final String SOURCE = "/kiln/qa";

    @Inject
    QaDatabase db;

    @Inject
    Outbox outbox;

    /** Now, to the microsecond PostgreSQL keeps (so a stored result and its event carry the same time). */
    public static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }

    /** Stores and announces; returns the stored row ({@code result} itself for a repeat). */
    public StoredResult record(StoredResult result) {
        return db.inTransaction(c -> {
            Optional<StoredResult> stored = db.insert(c, result);
            if (stored.isPresent()) {
                outbox.add(c, toEvent(result));
            }
            return stored.orElse(result);
        });
    }

    /** Announces stored results again (a repeated input for a finished run), through the outbox. */
    public void announceAgain(java.util.List<StoredResult> results) {
        db.inTransaction(c -> {
            for (StoredResult r : results) {
                outbox.add(c, toEvent(r));
            }
            return null;
        });
    }

    public static QaResult toEvent(StoredResult r) {
        return new QaResult(r.buildId(), r.subjectRepository(), r.subjectDigest(), r.testCase(), r.outcome(), r.note(),
                r.reporter(), r.refUrl(), r.time());
    }

    public static StoredResult fromEvent(QaResult e) {
        return new StoredResult(0, null, e.buildId(), e.subjectRepository(), e.subjectDigest(), e.testCase(), e.outcome(),
                e.summary(), e.reporter(), e.logUrl(), e.time().truncatedTo(ChronoUnit.MICROS), null);
    }
}
