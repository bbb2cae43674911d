package dev.kiln.qa.service;

import dev.kiln.events.QaResult;
import dev.kiln.qa.client.QaDatabase;
import dev.kiln.qa.domain.StoredResult;
import dev.kiln.support.messaging.EventPublisher;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

/**
 * Every outcome change: stored first (the results store is the record), then sent as {@code kiln.qa.result} and
 * awaited, so a caller acknowledges its input only when both are durable.
 */
@ApplicationScoped
public class ResultRecorder {
    /** The CloudEvents source of qa's events; results coming back from Kafka with it are qa's own. */
    public static final String SOURCE = "/kiln/qa";

    @Inject
    QaDatabase db;

    @Inject
    EventPublisher publisher;

    /** Now, to the microsecond PostgreSQL keeps (so a stored result and its event carry the same time). */
    public static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }

    /** Stores and publishes; returns the stored row (the existing one for a repeat). */
    public StoredResult record(StoredResult result) {
        Optional<StoredResult> stored = db.insert(result);
        publish(result);
        return stored.orElse(result);
    }

    /** Sends {@code result} as a {@code kiln.qa.result} event and waits for the broker. */
    public void publish(StoredResult result) {
        publisher.send(toEvent(result));
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
