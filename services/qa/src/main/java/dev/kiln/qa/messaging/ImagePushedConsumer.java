package dev.kiln.qa.messaging;

import dev.kiln.events.ImagePushed;
import dev.kiln.events.Stage;
import dev.kiln.qa.service.QaRunService;
import dev.kiln.support.messaging.EventConsumer;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * Reads {@code kiln.image.pushed} and runs QA on the image; every {@code kiln.qa.result} of the run is stored and
 * acknowledged by the broker before the input is acknowledged.
 */
@ApplicationScoped
public class ImagePushedConsumer {
    @Inject
    EventConsumer consumer;

    @Inject
    QaRunService qa;

    @Incoming("image-pushed")
    @Blocking
    public CompletionStage<Void> onImagePushed(Message<String> message) {
        return consumer.consume(message, ImagePushed.class, Stage.QA, d -> qa.run(d.event()));
    }
}
