package dev.kiln.containerbuild.messaging;

import dev.kiln.containerbuild.service.BuildService;
import dev.kiln.events.BuildRequested;
import dev.kiln.events.MalformedEventException;
import dev.kiln.support.messaging.IncomingEvents;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * {@code kiln.build.requested}: one build at a time (ordered, blocking). The record is acknowledged only after the
 * build's outcome event is acknowledged by the broker; a malformed event goes to {@code kiln.build.requested.dlq}.
 */
@ApplicationScoped
public class BuildRequestedConsumer {
    private static final Logger LOG = Logger.getLogger(BuildRequestedConsumer.class);

    @Inject
    BuildService builds;

    @Incoming("build-requested")
    @Blocking
    public CompletionStage<Void> onBuildRequested(Message<String> message) {
        BuildRequested request;
        try {
            request = IncomingEvents.decode(message, BuildRequested.class);
        } catch (MalformedEventException e) {
            LOG.warnf("malformed build.requested sent to the dead-letter topic: %s", e.getMessage());
            return message.nack(e);
        }
        try {
            LOG.infof("build %s (%s) requested by %s", request.buildId(), request.component(), request.requester());
            builds.handle(request);
            return message.ack();
        } catch (RuntimeException e) {
            LOG.errorf(e, "build %s could not be handled", request.buildId());
            return message.nack(e);
        }
    }
}
