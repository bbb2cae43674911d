package dev.kiln.release.messaging;

import dev.kiln.events.ImagePushed;
import dev.kiln.events.ImageSigned;
import dev.kiln.events.KilnEvent;
import dev.kiln.events.QaResult;
import dev.kiln.events.Stage;
import dev.kiln.release.service.ReleaseService;
import dev.kiln.support.messaging.EventConsumer;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * Reads {@code kiln.image.pushed}, {@code kiln.qa.result} and {@code kiln.image.signed}, each through the shared
 * {@link EventConsumer} template; an input is acknowledged once what it changed is committed, with the events that
 * announce it in the outbox (service-support {@code Outbox}), which sends them after the commit.
 */
@ApplicationScoped
public class ReleaseConsumer {
    @Inject
    ReleaseService release;

    @Inject
    EventConsumer consumer;

    @Incoming("image-pushed")
    @Blocking
    public CompletionStage<Void> onPushed(Message<String> message) {
        return handle(message, ImagePushed.class, release::onPushed);
    }

    @Incoming("qa-result")
    @Blocking
    public CompletionStage<Void> onQaResult(Message<String> message) {
        return handle(message, QaResult.class, release::onQaResult);
    }

    @Incoming("image-signed")
    @Blocking
    public CompletionStage<Void> onSigned(Message<String> message) {
        return handle(message, ImageSigned.class, release::onSigned);
    }

    private <T extends KilnEvent> CompletionStage<Void> handle(Message<String> message, Class<T> type, Consumer<T> work) {
        return consumer.consume(message, type, Stage.RELEASE, d -> work.accept(d.event()));
    }
}
