package dev.kiln.containerbuild.messaging;

import dev.kiln.containerbuild.service.BuildEvents;
import dev.kiln.events.KilnEvent;
import dev.kiln.support.messaging.EventPublisher;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** Sends the worker's events through the shared {@link EventPublisher} and waits for the broker's acknowledgement. */
@ApplicationScoped
public class KafkaBuildEvents implements BuildEvents {
    @Inject
    EventPublisher publisher;

    @Override
    public void publish(KilnEvent event) {
        publisher.send(event);
    }
}
