package dev.kiln.containerbuild.messaging;

import dev.kiln.containerbuild.service.BuildService;
import dev.kiln.events.BuildCancelRequested;
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
 * {@code kiln.build.cancel-requested}: stops the running build when it is the one named (the build worker then
 * sends {@code build.canceled}), or remembers the request so that the build is skipped when it arrives.
 */
@ApplicationScoped
public class CancelRequestedConsumer {
    private static final Logger LOG = Logger.getLogger(CancelRequestedConsumer.class);

    @Inject
    BuildService builds;

    @Incoming("build-cancel-requested")
    @Blocking
    public CompletionStage<Void> onCancelRequested(Message<String> message) {
        BuildCancelRequested request;
        try {
            request = IncomingEvents.decode(message, BuildCancelRequested.class);
        } catch (MalformedEventException e) {
            LOG.warnf("malformed build.cancel-requested sent to the dead-letter topic: %s", e.getMessage());
            return message.nack(e);
        }
        boolean running = builds.cancel(request);
        LOG.infof("cancel of build %s requested by %s: %s", request.buildId(), request.requestedBy(),
                running ? "stopping the running build" : "remembered for when it arrives");
        return message.ack();
    }
}
