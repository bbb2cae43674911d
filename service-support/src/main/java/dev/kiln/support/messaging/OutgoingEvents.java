package dev.kiln.support.messaging;

import dev.kiln.events.CloudEventHeaders;
import dev.kiln.events.EventCodec;
import dev.kiln.events.EventType;
import dev.kiln.events.KilnEvent;
import io.smallrye.reactive.messaging.ce.OutgoingCloudEventMetadata;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import java.net.URI;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * Turns event records into Kafka messages: JSON value, build id as key, CloudEvents 1.0 binary-mode headers
 * ({@code ce_id}, {@code ce_type}, {@code ce_source}, {@code ce_subject}, {@code ce_time}, {@code ce_dataschema}).
 */
public final class OutgoingEvents {
    /** How long a producer waits for the broker to acknowledge an event before it counts as not sent. */
    public static final Duration SEND_TIMEOUT = Duration.ofSeconds(60);

    private OutgoingEvents() {
    }

    /** A message for {@code event}, from the service named {@code source} (e.g. {@code /kiln/container-build}). */
    public static Message<String> message(KilnEvent event, String source) {
        EventType type = EventType.of(event);
        OutgoingCloudEventMetadata<String> ce = OutgoingCloudEventMetadata.<String>builder()
                .withId(UUID.randomUUID().toString())
                .withType(type.ceType())
                .withSource(URI.create(source))
                .withSubject(event.buildId())
                .withTimestamp(event.time().atZone(ZoneOffset.UTC))
                .withDataSchema(type.dataSchema())
                .withDataContentType(CloudEventHeaders.JSON)
                .build();
        OutgoingKafkaRecordMetadata<String> kafka = OutgoingKafkaRecordMetadata.<String>builder()
                .withKey(event.buildId())
                .build();
        return Message.of(EventCodec.encode(event)).addMetadata(kafka).addMetadata(ce);
    }

    /**
     * Sends {@code event} and returns once the broker has acknowledged it, so callers can commit their own input
     * only after their output is durable. Throws {@link EventNotSentException} when the broker refuses or does not
     * answer in time.
     */
    public static void sendAndAwait(Emitter<String> emitter, KilnEvent event, String source) {
        CompletableFuture<Void> acked = new CompletableFuture<>();
        Message<String> message = message(event, source)
                .withAck(() -> {
                    acked.complete(null);
                    return CompletableFuture.completedFuture(null);
                })
                .withNack(failure -> {
                    acked.completeExceptionally(failure);
                    return CompletableFuture.completedFuture(null);
                });
        emitter.send(message);
        try {
            acked.get(SEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EventNotSentException(EventType.of(event), e);
        } catch (ExecutionException | TimeoutException e) {
            throw new EventNotSentException(EventType.of(event), e instanceof ExecutionException ? e.getCause() : e);
        }
    }
}
