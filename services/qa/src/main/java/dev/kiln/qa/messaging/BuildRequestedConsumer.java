package dev.kiln.qa.messaging;

import dev.kiln.events.BuildRequested;
import dev.kiln.qa.domain.BuildSource;
import dev.kiln.qa.store.QaDatabase;
import dev.kiln.support.messaging.EventConsumer;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

/** Reads {@code kiln.build.requested} and records each build's source, where its {@code tests/*.yaml} come from. */
@ApplicationScoped
public class BuildRequestedConsumer {
    @Inject
    EventConsumer consumer;

    @Inject
    QaDatabase db;

    @Incoming("build-requested")
    @Blocking
    public CompletionStage<Void> onBuildRequested(Message<String> message) {
        return consumer.consume(message, BuildRequested.class, null, d -> db.saveSource(
                new BuildSource(d.event().buildId(), d.event().component(), d.event().source())));
    }
}
