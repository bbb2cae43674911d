package dev.kiln.qa.messaging;

import dev.kiln.events.ImagePushed;
import dev.kiln.events.MalformedEventException;
import dev.kiln.events.QaResult;
import dev.kiln.qa.service.ImageStartsCheck;
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
 * Reads {@code kiln.image.pushed}; for each image sends {@code kiln.qa.result} RUNNING, runs the check and sends the
 * final result, both acknowledged by the broker before the input is acknowledged.
 */
@ApplicationScoped
public class ImagePushedConsumer {
    static final String SOURCE = "/kiln/qa";
    private static final Logger LOG = Logger.getLogger(ImagePushedConsumer.class);

    @Inject
    ImageStartsCheck check;

    @Inject
    @Channel("qa-result")
    Emitter<String> qaResults;

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
            OutgoingEvents.sendAndAwait(qaResults, check.started(image), SOURCE);
            QaResult result = check.run(image);
            OutgoingEvents.sendAndAwait(qaResults, result, SOURCE);
            LOG.infof("%s of %s: %s (%s)", result.testCase(), image.reference(), result.outcome(), result.summary());
            return message.ack();
        } catch (RuntimeException e) {
            LOG.errorf(e, "could not handle image.pushed of build %s", image.buildId());
            return message.nack(e);
        }
    }
}
