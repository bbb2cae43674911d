package dev.kiln.signing.messaging;

import dev.kiln.events.BuildFailed;
import dev.kiln.events.ImagePromoted;
import dev.kiln.events.ImagePushed;
import dev.kiln.events.ImageSigned;
import dev.kiln.events.MalformedEventException;
import dev.kiln.signing.config.SigningConfig;
import dev.kiln.signing.service.SigningService;
import dev.kiln.support.messaging.IncomingEvents;
import dev.kiln.support.messaging.OutgoingEvents;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * Reads {@code kiln.image.pushed} and {@code kiln.image.promoted}, signs, and sends {@code kiln.image.signed} or
 * {@code kiln.build.failed} before acknowledging, so an offset is committed only once the outcome is on the broker.
 */
@ApplicationScoped
public class ImageEventsConsumer {
    private static final Logger LOG = Logger.getLogger(ImageEventsConsumer.class);
    static final String SOURCE = "/kiln/signing";

    @Inject
    SigningService signing;

    @Inject
    @Channel("image-signed")
    Emitter<String> signedEmitter;

    @Inject
    @Channel("build-failed")
    Emitter<String> failedEmitter;

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

    private <T extends dev.kiln.events.KilnEvent> CompletionStage<Void> handle(Message<String> message, Class<T> type,
            Function<T, SigningService.Outcome> work) {
        try {
            T event = IncomingEvents.decode(message, type);
            SigningService.Outcome outcome = work.apply(event);
            for (ImageSigned signed : outcome.signed()) {
                OutgoingEvents.sendAndAwait(signedEmitter, signed, SOURCE);
            }
            if (outcome.failure().isPresent()) {
                BuildFailed failed = outcome.failure().get();
                OutgoingEvents.sendAndAwait(failedEmitter, failed, SOURCE);
            }
            throttle();
            return message.ack();
        } catch (MalformedEventException e) {
            LOG.errorf("poison message on %s sent to the dead-letter topic: %s", type.getSimpleName(), e.getMessage());
            return message.nack(e);
        } catch (RuntimeException e) {
            LOG.errorf(e, "cannot handle a %s event; it goes to the dead-letter topic", type.getSimpleName());
            return message.nack(e);
        }
    }
}
