package dev.kiln.qa.messaging;

import dev.kiln.events.ImagePushed;
import dev.kiln.events.MalformedEventException;
import dev.kiln.qa.service.QaRunService;
import dev.kiln.support.messaging.IncomingEvents;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * Reads {@code kiln.image.pushed} and runs QA on the image; every {@code kiln.qa.result} of the run is stored and
 * acknowledged by the broker before the input is acknowledged.
 */
@ApplicationScoped
public class ImagePushedConsumer {
    private static final Logger LOG = Logger.getLogger(ImagePushedConsumer.class);

    @Inject
    QaRunService qa;

    @Incoming("image-pushed")
    @Blocking
    public CompletionStage<Void> onImagePushed(Message<String> message) {
        ImagePushed image;
        try {
            image = IncomingEvents.decode(message, ImagePushed.class);
        } catch (MalformedEventException e) {
            LOG.warnf("dead-lettering a malformed image.pushed event: %s", e.getMessage());
            return message.nack(e);
        }
        try {
            qa.run(image);
            return message.ack();
        } catch (RuntimeException e) {
            LOG.errorf(e, "could not handle image.pushed of build %s", image.buildId());
            return message.nack(e);
        }
    }
}
