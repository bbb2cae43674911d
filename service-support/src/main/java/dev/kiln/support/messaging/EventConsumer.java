package dev.kiln.support.messaging;

import dev.kiln.events.BuildFailed;
import dev.kiln.events.EventType;
import dev.kiln.events.KilnEvent;
import dev.kiln.events.MalformedEventException;
import dev.kiln.events.Stage;
import dev.kiln.support.text.Failures;
import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.reactive.messaging.ce.IncomingCloudEventMetadata;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.interceptor.Interceptor;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

/**
 * The one way a Kiln service consumes an event. For each record:
 * <ol>
 * <li>decode it; a malformed record becomes a dead letter on {@code <topic>.dlq} (original key, value and headers,
 * plus {@link DeadLetterHeaders}) and is acknowledged;</li>
 * <li>run the handler with the log context set ({@code build}, {@code event}: MDC keys);</li>
 * <li>on a {@link FailureKind#TRANSIENT} failure, try again with {@link RetryPolicy}'s backoff for as long as the
 * service runs: the record stays unacknowledged (its partition waits), it never becomes a dead letter or a failed
 * build; when the service stops, the record is left to the consumer that gets the partition next;</li>
 * <li>on a {@link FailureKind#PERMANENT} failure, end the build: {@code kiln.build.failed} at the consumer's stage
 * (or the {@link PermanentFailure}'s), with its reason code and sentence and {@code transient=false}; a consumer
 * that owns no stage (the hub's) dead-letters the record instead, with the reason;</li>
 * <li>an {@link FailureKind#UNEXPECTED} failure (a defect, most likely) is tried {@code kiln.messaging.retry.unexpected-attempts}
 * times, then treated as permanent with reason code {@value #INTERNAL_ERROR} and no internals in its sentence.</li>
 * </ol>
 * Acknowledging commits nothing by itself: with the throttled commit strategy an offset is committed once every
 * record before it is acknowledged. Idempotency is the handler's: a redelivered event (same {@code ce_id}) or one whose
 * state change was applied already must change nothing.
 */
@ApplicationScoped
public class EventConsumer {
    private static final Logger LOG = Logger.getLogger(EventConsumer.class);
    /** Reason code of a build ended by a failure nobody classified. */
    public static final String INTERNAL_ERROR = "internal-error";
    /** MDC keys of the log context. */
    public static final String MDC_BUILD = "build";
    public static final String MDC_EVENT = "event";
    /** Processing ended with the record neither acknowledged nor refused: its offset is not committed. */
    public static final CompletionStage<Void> UNACKNOWLEDGED = CompletableFuture.completedFuture(null);

    /**
     * An event handed to a handler, with what the record said about it; {@code received} is when this process first
     * tried it (the same for every retry), for a handler that bounds how long it waits for one resource.
     */
    public record Delivery<T extends KilnEvent>(T event, String eventId, String source, Instant received) {
        public Delivery(T event, String eventId, String source) {
            this(event, eventId, source, Instant.now());
        }
    }

    /** What a consumer does with one event; any exception is classified by {@link FailureKind}. */
    @FunctionalInterface
    public interface Handler<T extends KilnEvent> {
        void handle(Delivery<T> delivery) throws Exception;
    }

    @Inject
    EventPublisher publisher;

    private RetryPolicy policy;
    private final AtomicLong deadLetters = new AtomicLong();
    private final AtomicLong retries = new AtomicLong();
    private volatile boolean stopping;

    public EventConsumer() {
    }

    /** A consumer with its collaborators given (tests). */
    EventConsumer(EventPublisher publisher, RetryPolicy policy) {
        this.publisher = publisher;
        this.policy = policy;
    }

    @jakarta.annotation.PostConstruct
    void init() {
        if (policy == null) {
            policy = RetryPolicy.configured();
        }
    }

    /**
     * Shutdown: retry loops end and leave their records unacknowledged. Observed early, before the messaging
     * connectors close.
     */
    void onStop(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) ShutdownEvent shutdown) {
        stopping = true;
    }

    /** True once the service is shutting down. */
    public boolean stopping() {
        return stopping;
    }

    /** Dead letters this process wrote since it started. */
    public long deadLetterCount() {
        return deadLetters.get();
    }

    /** Transient failures this process retried since it started. */
    public long retryCount() {
        return retries.get();
    }

    /** Consumes {@code message} as a {@code type} event for a consumer of {@code stage} (see the class comment). */
    public <T extends KilnEvent> CompletionStage<Void> consume(Message<String> message, Class<T> type, Stage stage,
            Handler<T> handler) {
        EventType eventType = EventType.of(type);
        String eventId = IncomingEvents.eventId(message).orElse(null);
        T event;
        try {
            event = IncomingEvents.decode(message, type);
        } catch (MalformedEventException e) {
            return deadLetter(message, eventType, e.getMessage());
        }
        String source = message.getMetadata(IncomingCloudEventMetadata.class)
                .map(ce -> ce.getSource() == null ? null : ce.getSource().toString()).orElse(null);
        Delivery<T> delivery = new Delivery<>(event, eventId, source);
        MDC.put(MDC_BUILD, event.buildId());
        MDC.put(MDC_EVENT, eventType.ceType() + (eventId == null ? "" : " " + eventId));
        try {
            return handle(message, eventType, stage, handler, delivery);
        } finally {
            MDC.remove(MDC_BUILD);
            MDC.remove(MDC_EVENT);
        }
    }

    private <T extends KilnEvent> CompletionStage<Void> handle(Message<String> message, EventType type, Stage stage,
            Handler<T> handler, Delivery<T> delivery) {
        int transientTries = 0;
        int unexpectedTries = 0;
        while (true) {
            Exception failure;
            try {
                handler.handle(delivery);
                return message.ack();
            } catch (Exception e) {
                failure = e;
            }
            if (stopping) {
                LOG.infof("%s for build %s left unacknowledged, the service is stopping (%s)", type.ceType(),
                        delivery.event().buildId(), Failures.message(failure));
                return UNACKNOWLEDGED;
            }
            FailureKind kind = FailureKind.of(failure);
            switch (kind) {
                case TRANSIENT -> {
                    transientTries++;
                    retries.incrementAndGet();
                    LOG.warnf("%s for build %s: %s (transient, try %d; trying again in a moment)", type.ceType(),
                            delivery.event().buildId(), Failures.message(failure), transientTries);
                    if (!policy.pause(transientTries, this::stopping)) {
                        return UNACKNOWLEDGED;
                    }
                }
                case MALFORMED -> {
                    return deadLetter(message, type, Failures.message(failure));
                }
                case PERMANENT -> {
                    return endBuild(message, type, stage, delivery, failure);
                }
                default -> {
                    unexpectedTries++;
                    if (unexpectedTries < policy.unexpectedAttempts()) {
                        LOG.errorf(failure, "%s for build %s failed unexpectedly (try %d of %d)", type.ceType(),
                                delivery.event().buildId(), unexpectedTries, policy.unexpectedAttempts());
                        if (!policy.pause(unexpectedTries, this::stopping)) {
                            return UNACKNOWLEDGED;
                        }
                    } else {
                        LOG.errorf(failure, "%s for build %s failed unexpectedly %d times: giving up", type.ceType(),
                                delivery.event().buildId(), unexpectedTries);
                        return endBuild(message, type, stage, delivery, failure);
                    }
                }
            }
        }
    }

    /** A permanent failure: the build fails at the stage, or (a consumer without a stage) the record is dead-lettered. */
    private <T extends KilnEvent> CompletionStage<Void> endBuild(Message<String> message, EventType type, Stage stage,
            Delivery<T> delivery, Exception failure) {
        String reason;
        String sentence;
        Stage at = stage;
        if (failure instanceof PermanentFailure p) {
            reason = p.reason();
            sentence = p.getMessage();
            at = p.stage() == null ? stage : p.stage();
        } else if (FailureKind.of(failure) == FailureKind.PERMANENT) {
            reason = (at == null ? "event" : at.wireName()) + "-failed";
            sentence = Failures.message(failure);
        } else {
            reason = INTERNAL_ERROR;
            sentence = "the " + publisher.service() + " service could not handle " + type.ceType()
                    + (delivery.eventId() == null ? "" : " event " + delivery.eventId())
                    + " because of an unexpected error; its log has the details, and an operator can replay the event"
                    + " once it is fixed";
        }
        if (at == null) {
            return deadLetter(message, type, reason + ": " + sentence);
        }
        BuildFailed failed = new BuildFailed(delivery.event().buildId(), at, reason, sentence, false, Instant.now());
        LOG.errorf("build %s failed at %s (%s): %s", failed.buildId(), at.wireName(), reason, sentence);
        return sendOrLeave(message, () -> publisher.send(failed), "kiln.build.failed");
    }

    /** Writes {@code message} to its topic's dead-letter topic with {@code reason}, then acknowledges it. */
    private CompletionStage<Void> deadLetter(Message<String> message, EventType type, String reason) {
        Optional<IncomingKafkaRecordMetadata> kafka = message.getMetadata(IncomingKafkaRecordMetadata.class);
        String topic = kafka.map(IncomingKafkaRecordMetadata::getTopic).orElse(type.topic());
        RecordHeaders headers = new RecordHeaders();
        kafka.ifPresent(k -> {
            for (Header h : k.getHeaders()) {
                if (!DeadLetterHeaders.added(h.key())) {
                    headers.add(h);
                }
            }
        });
        String channel = kafka.map(IncomingKafkaRecordMetadata::getChannel).orElse(type.topic());
        put(headers, DeadLetterHeaders.REASON, reason);
        put(headers, DeadLetterHeaders.CONSUMER, publisher.service() + "/" + channel);
        org.eclipse.microprofile.config.ConfigProvider.getConfig()
                .getOptionalValue("mp.messaging.incoming." + channel + ".group.id", String.class)
                .ifPresent(g -> put(headers, DeadLetterHeaders.GROUP, g));
        put(headers, DeadLetterHeaders.TOPIC, topic);
        kafka.ifPresent(k -> {
            put(headers, DeadLetterHeaders.PARTITION, Integer.toString(k.getPartition()));
            put(headers, DeadLetterHeaders.OFFSET, Long.toString(k.getOffset()));
        });
        put(headers, DeadLetterHeaders.TIME, Instant.now().toString());
        Object key = kafka.map(IncomingKafkaRecordMetadata::getKey).orElse(null);
        String dlq = topic + ".dlq";
        deadLetters.incrementAndGet();
        LOG.errorf("%s record sent to %s: %s", type.ceType(), dlq, reason);
        return sendOrLeave(message, () -> publisher.sendRecord(dlq, key == null ? null : key.toString(),
                message.getPayload(), headers), dlq);
    }

    /** Sends (trying again while the broker is away), then acknowledges; unacknowledged when the service stops. */
    private CompletionStage<Void> sendOrLeave(Message<String> message, Runnable send, String what) {
        for (int attempt = 1;; attempt++) {
            try {
                send.run();
                return message.ack();
            } catch (RuntimeException e) {
                LOG.warnf("could not send to %s (try %d): %s", what, attempt, Failures.message(e));
                if (stopping || !policy.pause(attempt, this::stopping)) {
                    return UNACKNOWLEDGED;
                }
            }
        }
    }

    private static void put(RecordHeaders headers, String name, String value) {
        headers.remove(name);
        headers.add(name, value.getBytes(StandardCharsets.UTF_8));
    }
}
