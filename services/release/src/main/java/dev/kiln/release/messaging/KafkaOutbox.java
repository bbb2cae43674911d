package dev.kiln.release.messaging;

import dev.kiln.events.BuildFailed;
import dev.kiln.events.GatingDecision;
import dev.kiln.events.ImagePromoted;
import dev.kiln.events.KilnEvent;
import dev.kiln.release.service.Outbox;
import dev.kiln.support.messaging.OutgoingEvents;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;

/** The events release sends (gating.decision, image.promoted, build.failed), each awaited until the broker has it. */
@ApplicationScoped
public class KafkaOutbox implements Outbox {
    static final String SOURCE = "/kiln/release";

    @Inject
    @Channel("gating-decision")
    Emitter<String> decisions;

    @Inject
    @Channel("image-promoted")
    Emitter<String> promotions;

    @Inject
    @Channel("build-failed")
    Emitter<String> failures;

    @Override
    public void send(KilnEvent event) {
        Emitter<String> emitter;
        if (event instanceof GatingDecision) {
            emitter = decisions;
        } else if (event instanceof ImagePromoted) {
            emitter = promotions;
        } else if (event instanceof BuildFailed) {
            emitter = failures;
        } else {
            throw new IllegalArgumentException("release does not send " + event.getClass().getSimpleName());
        }
        OutgoingEvents.sendAndAwait(emitter, event, SOURCE);
    }
}
