package dev.kiln.support.messaging;

import dev.kiln.events.EventType;
import dev.kiln.events.KilnEvent;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.common.header.Headers;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * Every Kiln service's one producer: each event goes to its {@link EventType#topic()} through the outgoing channel
 * {@value #CHANNEL}, keyed by build id, with CloudEvents headers whose source is {@code /kiln/<kiln.messaging.service>}.
 * {@link #send} returns once the broker has acknowledged the event, so a caller commits its input only after its
 * output is durable; {@link EventNotSentException} (a transient failure) otherwise.
 */
@ApplicationScoped
public class EventPublisher {
    /** The outgoing channel every service configures (connector smallrye-kafka; the topic comes per message). */
    public static final String CHANNEL = "kiln-events";

    @Inject
    @Channel(CHANNEL)
    Emitter<String> emitter;

    @Inject
    MessagingConfig config;

    /** The service's name, e.g. {@code qa} ({@code kiln.messaging.service}). */
    public String service() {
        return config.service().orElseThrow(() -> new IllegalStateException(
                "kiln.messaging.service is not set: name the service in its application.properties"));
    }

    /** The CloudEvents source of this service's events, e.g. {@code /kiln/qa}. */
    public String source() {
        return "/kiln/" + service();
    }

    /** Sends {@code event} with a new event id and waits for the broker. */
    public void send(KilnEvent event) {
        send(event, UUID.randomUUID().toString());
    }

    /** Sends {@code event} with event id {@code eventId} and waits for the broker. */
    public void send(KilnEvent event, String eventId) {
        await(sendAsync(event, eventId), EventType.of(event).ceType() + " event");
    }

    /** Sends {@code event}; the future completes when the broker acknowledged it. */
    public CompletableFuture<Void> sendAsync(KilnEvent event, String eventId) {
        return sendMessage(OutgoingEvents.message(event, source(), eventId));
    }

    /**
     * Sends a record as it is (a dead letter, a replayed one): {@code headers} are written unchanged and no
     * CloudEvents headers are added. Waits for the broker.
     */
    public void sendRecord(String topic, String key, String value, Headers headers) {
        OutgoingKafkaRecordMetadata<String> kafka = OutgoingKafkaRecordMetadata.<String>builder()
                .withTopic(topic).withKey(key).withHeaders(headers).build();
        await(sendMessage(Message.of(value).addMetadata(kafka)), "record for " + topic);
    }

    private CompletableFuture<Void> sendMessage(Message<String> message) {
        CompletableFuture<Void> acked = new CompletableFuture<>();
        try {
            emitter.send(message
                .withAck(() -> {
                    acked.complete(null);
                    return CompletableFuture.completedFuture(null);
                })
                .withNack(failure -> {
                    acked.completeExceptionally(failure);
                    return CompletableFuture.completedFuture(null);
                }));
        } catch (RuntimeException e) {
            // the channel refused the message (its buffer is full, or it is not connected yet): try again later
            acked.completeExceptionally(e);
        }
        return acked;
    }

    /** Waits for {@code acked} at most {@link OutgoingEvents#SEND_TIMEOUT}. */
    public static void await(CompletableFuture<Void> acked, String what) {
        try {
            acked.get(OutgoingEvents.SEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EventNotSentException(what, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new EventNotSentException(what, e instanceof ExecutionException ? e.getCause() : e);
        }
    }
}
