package dev.kiln.registrypush.messaging;

import dev.kiln.events.BuildCompleted;
import dev.kiln.events.ImagePushed;
import dev.kiln.events.KilnEvent;
import dev.kiln.events.MalformedEventException;
import dev.kiln.registrypush.service.PushService;
import dev.kiln.support.messaging.IncomingEvents;
import dev.kiln.support.messaging.OutgoingEvents;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * Reads {@code kiln.build.completed} and answers each with {@code kiln.image.pushed} or {@code kiln.build.failed},
 * acknowledged by the broker before the input is acknowledged. A redelivered event pushes again (no layer is sent
 * twice), puts the same SBOM attachment again and announces the same digest again.
 */
@ApplicationScoped
public class BuildCompletedConsumer {
    static final String SOURCE = "/kiln/registry-push";
    private static final Logger LOG = Logger.getLogger(BuildCompletedConsumer.class);

    @Inject
    PushService pushService;

    @Inject
    @Channel("image-pushed")
    Emitter<String> imagePushed;

    @Inject
    @Channel("build-failed")
    Emitter<String> buildFailed;

    @Incoming("build-completed")
    @Blocking
    public CompletionStage<Void> onBuildCompleted(Message<String> message) {
        BuildCompleted event;
        try {
            event = IncomingEvents.decode(message, BuildCompleted.class);
        } catch (MalformedEventException e) {
            LOG.warnf("dead-lettering a malformed build.completed event: %s", e.getMessage());
            return message.nack(e);
        }
        try {
            KilnEvent result = pushService.push(event);
            OutgoingEvents.sendAndAwait(result instanceof ImagePushed ? imagePushed : buildFailed, result, SOURCE);
            return message.ack();
        } catch (RuntimeException e) {
            LOG.errorf(e, "could not handle build.completed of build %s", event.buildId());
            return message.nack(e);
        }
    }
}
