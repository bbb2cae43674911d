package dev.kiln.release.messaging;

import dev.kiln.events.KilnEvent;
import dev.kiln.release.service.Outbox;
import dev.kiln.support.messaging.EventPublisher;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The events release sends (gating.decision, image.promoted, build.failed), through the shared
 * {@link EventPublisher}, each awaited until the broker has it.
 */
@ApplicationScoped
public class KafkaOutbox implements Outbox {
    @Inject
    EventPublisher publisher;

    @Override
    public void send(KilnEvent event) {
        publisher.send(event);
    }
}
