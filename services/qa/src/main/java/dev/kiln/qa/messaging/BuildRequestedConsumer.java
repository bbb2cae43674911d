package dev.kiln.qa.messaging;

import dev.kiln.events.BuildRequested;
import dev.kiln.events.MalformedEventException;
import dev.kiln.qa.client.QaDatabase;
import dev.kiln.qa.domain.BuildSource;
import dev.kiln.support.messaging.IncomingEvents;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/** Reads {@code kiln.build.requested} and records each build's source, where its {@code tests/*.yaml} come from. */
@ApplicationScoped
public class BuildRequestedConsumer {
    private static final Logger LOG = Logger.getLogger(BuildRequestedConsumer.class);

    @Inject
    QaDatabase db;

    @Incoming("build-requested")
    @Blocking
    public CompletionStage<Void> onBuildRequested(Message<String> message) {
        BuildRequested request;
        try {
            request = IncomingEvents.decode(message, BuildRequested.class);
        } catch (MalformedEventException e) {
            LOG.warnf("dead-lettering a malformed build.requested event: %s", e.getMessage());
            return message.nack(e);
        }
        try {
            db.saveSource(new BuildSource(request.buildId(), request.component(), request.source()));
            return message.ack();
        } catch (RuntimeException e) {
            LOG.errorf(e, "could not record the source of build %s", request.buildId());
            return message.nack(e);
        }
    }
}
