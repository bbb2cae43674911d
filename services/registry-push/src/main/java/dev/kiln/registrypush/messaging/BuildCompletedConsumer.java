package dev.kiln.registrypush.messaging;

import dev.kiln.events.BuildCompleted;
import dev.kiln.events.Stage;
import dev.kiln.registrypush.service.PushService;
import dev.kiln.support.messaging.EventConsumer;
import dev.kiln.support.messaging.EventPublisher;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * Reads {@code kiln.build.completed} (through the shared {@link EventConsumer} template) and answers each with
 * {@code kiln.image.pushed} or {@code kiln.build.failed}, acknowledged by the broker before the input is acknowledged.
 * A redelivered event pushes again (no layer is sent twice), puts the same SBOM attachment again and announces the
 * same digest again.
 */
@ApplicationScoped
public class BuildCompletedConsumer {
    @Inject
    PushService pushService;

    @Inject
    EventConsumer consumer;

    @Inject
    EventPublisher publisher;

    @Incoming("build-completed")
    @Blocking
    public CompletionStage<Void> onBuildCompleted(Message<String> message) {
        return consumer.consume(message, BuildCompleted.class, Stage.PUSH,
                d -> publisher.send(pushService.push(d.event(), d.received())));
    }
}
