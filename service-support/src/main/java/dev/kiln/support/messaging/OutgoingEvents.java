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
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * Turns event records into Kafka messages: JSON value, build id as key, the type's topic, CloudEvents 1.0 binary-mode
 * headers ({@code ce_id}, {@code ce_type}, {@code ce_source}, {@code ce_subject}, {@code ce_time}, {@code ce_dataschema}).
 */
public final class OutgoingEvents {
    /** How long a producer waits for the broker to acknowledge an event before it counts as not sent. */
    public static final Duration SEND_TIMEOUT = Duration.ofSeconds(60);

    private OutgoingEvents() {
    }

    /** A message for {@code event}, from the service named {@code source} (e.g. {@code /kiln/container-build}). */
    public static Message<String> message(KilnEvent event, String source) {
        return message(event, source, UUID.randomUUID().toString());
    }

    /**
     * A message for {@code event} with CloudEvents id {@code eventId} (an outbox row keeps its id, so a relayed event
     * sent twice is recognised as one), routed to its type's topic.
     */
    public static Message<String> message(KilnEvent event, String source, String eventId) {
        EventType type = EventType.of(event);
        OutgoingCloudEventMetadata<String> ce = OutgoingCloudEventMetadata.<String>builder()
                .withId(eventId)
                .withType(type.ceType())
                .withSource(URI.create(source))
                .withSubject(event.buildId())
                .withTimestamp(event.time().atZone(ZoneOffset.UTC))
                .withDataSchema(type.dataSchema())
                .withDataContentType(CloudEventHeaders.JSON)
                .build();
        OutgoingKafkaRecordMetadata<String> kafka = OutgoingKafkaRecordMetadata.<String>builder()
                .withKey(event.buildId())
                .withTopic(type.topic())
                .build();
        return Message.of(EventCodec.encode(event)).addMetadata(kafka).addMetadata(ce);
    }
}
