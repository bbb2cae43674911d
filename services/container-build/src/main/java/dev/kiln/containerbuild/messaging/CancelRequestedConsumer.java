package dev.kiln.containerbuild.messaging;

import dev.kiln.containerbuild.service.BuildService;
import dev.kiln.events.BuildCancelRequested;
import dev.kiln.support.messaging.EventConsumer;
import dev.kiln.support.messaging.broker.KafkaClients;
import dev.kiln.support.messaging.broker.KafkaTopics;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.KafkaConsumerRebalanceListener;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
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
    /** Every worker's cancel group: {@code kiln-container-build-cancel-<worker id>}. */
    static final String CANCEL_GROUP_PREFIX = "kiln-container-build-cancel-";

    /**
     * The cancel channel's rebalance listener: every partition is read from its beginning when assigned, so a worker
     * restarted under the same id (its group reused, offsets committed) still knows every cancel request it may meet,
     * as a new group reading from the earliest offset would.
     */
    @Produces
    @Identifier("kiln-cancel-replay")
    KafkaConsumerRebalanceListener replayCancels() {
        return new KafkaConsumerRebalanceListener() {
            @Override
            public void onPartitionsAssigned(org.apache.kafka.clients.consumer.Consumer<?, ?> consumer,
                    Collection<TopicPartition> partitions) {
                consumer.seekToBeginning(partitions);
            }
        };
    }

    @Inject
    BuildService builds;

    @Inject
    EventConsumer consumer;

    @Inject
    KafkaClients clients;

    /**
     * Removes the cancel groups of workers that are gone (killed before they could leave; with the default
     * {@code kiln.worker-id} of {@code <hostname>-<pid>} every start has a new one). A group with no member left is
     * stale: a running worker is always a member of its own. On a thread of its own; best effort.
     */
    void removeStaleCancelGroups(@Observes StartupEvent started) {
        Config config = ConfigProvider.getConfig();
        String own = config.getValue("mp.messaging.incoming.build-cancel-requested.group.id", String.class);
        Thread cleanup = new Thread(() -> {
            try (Admin admin = clients.admin()) {
                List<String> removed = KafkaTopics.deleteEmptyGroups(admin, CANCEL_GROUP_PREFIX, own);
                if (!removed.isEmpty()) {
                    LOG.infof("removed the cancel consumer groups of %d stopped worker(s): %s", removed.size(), removed);
                }
            } catch (Exception e) {
                LOG.debugf("could not look for stale cancel groups: %s", e.getMessage());
            }
        }, "kiln-cancel-group-cleanup");
        cleanup.setDaemon(true);
        cleanup.start();
    }

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
