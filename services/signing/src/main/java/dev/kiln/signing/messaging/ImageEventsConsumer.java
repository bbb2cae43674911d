package dev.kiln.signing.messaging;

import dev.kiln.events.ImagePromoted;
import dev.kiln.events.ImagePushed;
import dev.kiln.events.KilnEvent;
import dev.kiln.events.Stage;
import dev.kiln.signing.config.SigningConfig;
import dev.kiln.signing.service.SigningService;
import dev.kiln.support.messaging.EventConsumer;
import dev.kiln.support.messaging.EventPublisher;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * Reads {@code kiln.image.pushed} and {@code kiln.image.promoted} and signs. The {@code kiln.image.signed} events are
 * written to {@code signing.outbox} in the transaction that records the signatures (the relay sends them); a refusal's
 * {@code kiln.build.failed} is sent before acknowledging. An offset is committed only once the outcome is stored or on
 * the broker (shared {@link EventConsumer} template: transient failures are tried again, malformed records
 * dead-lettered).
 */
@ApplicationScoped
public class ImageEventsConsumer {

    @Inject
    SigningService signing;

    @Inject
    EventConsumer consumer;

    @Inject
    EventPublisher publisher;

    @Inject
    SigningConfig config;

    @Incoming("image-pushed")
    @Blocking
    public CompletionStage<Void> onPushed(Message<String> message) {
        return handle(message, ImagePushed.class, signing::onPushed);
    }

    @Incoming("image-promoted")
    @Blocking
    public CompletionStage<Void> onPromoted(Message<String> message) {
        return handle(message, ImagePromoted.class, signing::onPromoted);
    }

    private void throttle() {
        long pause = config.signing().throttleMillis();
        if (pause > 0) {
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private <T extends KilnEvent> CompletionStage<Void> handle(Message<String> message, Class<T> type,
            Function<T, SigningService.Outcome> work) {
        return consumer.consume(message, type, Stage.SIGNING, d -> {
            SigningService.Outcome outcome = work.apply(d.event());
            // the kiln.image.signed events are in the outbox already (written with the records); a refusal changed
            // nothing in the database and is sent at once
            if (outcome.failure().isPresent()) {
                publisher.send(outcome.failure().get());
            }
            throttle();
        });
    }
}
