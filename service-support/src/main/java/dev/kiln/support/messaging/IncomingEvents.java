package dev.kiln.support.messaging;

import dev.kiln.events.EventCodec;
import dev.kiln.events.EventType;
import dev.kiln.events.KilnEvent;
import dev.kiln.events.MalformedEventException;
import io.smallrye.reactive.messaging.ce.IncomingCloudEventMetadata;
import java.util.Optional;
import org.eclipse.microprofile.reactive.messaging.Message;

/** Reading incoming Kiln events; a malformed one raises {@link MalformedEventException} (dead-letter material). */
public final class IncomingEvents {
    private IncomingEvents() {
    }

    public static <T extends KilnEvent> T decode(Message<String> message, Class<T> type) {
        Optional<IncomingCloudEventMetadata> ce = message.getMetadata(IncomingCloudEventMetadata.class);
        String expected = EventType.of(type).ceType();
        if (ce.isPresent() && ce.get().getType() != null && !expected.equals(ce.get().getType())) {
            throw new MalformedEventException("expected a " + expected + " event, got ce_type " + ce.get().getType());
        }
        return EventCodec.decode(message.getPayload(), type);
    }

    /** The CloudEvents id, used to recognise a redelivered event; empty for a message sent without headers. */
    public static Optional<String> eventId(Message<?> message) {
        return message.getMetadata(IncomingCloudEventMetadata.class).map(IncomingCloudEventMetadata::getId);
    }
}
