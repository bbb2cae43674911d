package dev.kiln.containerbuild.messaging;

import dev.kiln.containerbuild.service.BuildService;
import dev.kiln.events.BuildCancelRequested;
import dev.kiln.support.messaging.EventConsumer;
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

    @Inject
    EventConsumer consumer;

    @Incoming("build-cancel-requested")
    @Blocking
    public CompletionStage<Void> onCancelRequested(Message<String> message) {
        return consumer.consume(message, BuildCancelRequested.class, null, d -> {
            BuildCancelRequested request = d.event();
            boolean running = builds.cancel(request);
            LOG.infof("cancel of build %s requested by %s: %s", request.buildId(), request.requestedBy(),
                    running ? "stopping the running build" : "remembered for when it arrives");
        });
    }
}
