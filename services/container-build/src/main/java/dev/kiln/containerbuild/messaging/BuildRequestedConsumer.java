package dev.kiln.containerbuild.messaging;

import dev.kiln.containerbuild.config.KilnConfig;
import dev.kiln.containerbuild.service.BuildService;
import dev.kiln.events.BuildRequested;
import dev.kiln.events.Stage;
import dev.kiln.support.messaging.EventConsumer;
import dev.kiln.support.messaging.TransientFailure;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.interceptor.Interceptor;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * {@code kiln.build.requested}: up to {@code kiln.build.concurrency} builds at once on the worker pool
 * {@value #BUILD_POOL}, whose size SmallRye also uses as the number of records it takes from the channel before their
 * processing ends (one at a time by default). A record is acknowledged only after the build's outcome event is
 * acknowledged by the broker, and the throttled commit strategy commits an offset only when every record before it is
 * acknowledged: a worker that dies mid-build leaves its running builds to the worker that gets their partitions.
 * A worker that is shut down does the same on purpose: it stops its running builds and leaves their records
 * unacknowledged (neither acked, which would commit them, nor nacked, which would send them to the dead-letter topic).
 * Records go through the shared {@link EventConsumer} template: a malformed event goes to
 * {@code kiln.build.requested.dlq}, a transient failure is tried again.
 */
@ApplicationScoped
public class BuildRequestedConsumer {
    private static final Logger LOG = Logger.getLogger(BuildRequestedConsumer.class);
    /** Sized by {@code smallrye.messaging.worker.kiln-builds.max-concurrency=${kiln.build.concurrency:1}}. */
    static final String BUILD_POOL = "kiln-builds";
    /**
     * How long shutdown waits for the running builds to stop: closing a build's stream and removing its container
     * takes a second or two. A build busy in a step that does not look for the stop (a git clone, a parent pull) is
     * interrupted when the worker pool closes ({@code smallrye.messaging.worker.kiln-builds.shutdown-timeout}).
     */
    static final Duration STOP_WAIT = Duration.ofSeconds(10);

    @Inject
    BuildService builds;

    @Inject
    EventConsumer consumer;

    @Inject
    KilnConfig config;

    /**
     * Refuses to start with fewer than one build at a time, before the messaging wiring (priority
     * {@code LIBRARY_BEFORE}) would fail with a message that names no Kiln setting.
     */
    void checkConcurrency(@Observes @Priority(Interceptor.Priority.LIBRARY_BEFORE - 1) StartupEvent started) {
        int concurrency = config.build().concurrency();
        if (concurrency < 1) {
            throw new IllegalStateException("kiln.build.concurrency (KILN_BUILD_CONCURRENCY) is " + concurrency
                    + ": set it to the number of builds this worker may run at once, 1 or more");
        }
    }

    /**
     * SIGTERM (a rolling update, a scale-down, an eviction): the running builds are handed back to the group rather
     * than failed. {@code ShutdownEvent} comes before the messaging worker pool and the Kafka connector close (they
     * close when the application context is destroyed), so the builds still send their last log lines, and the
     * connector's close then commits only the offsets of acknowledged records and leaves the group: the worker that
     * gets the partitions next builds the handed-back requests. The connector waits for unacknowledged records for
     * {@code auto.commit.interval.ms} at most (the throttled commit strategy), so they do not hold the shutdown up.
     */
    void handBackBuilds(@Observes ShutdownEvent shutdown) {
        builds.stop(STOP_WAIT);
    }

    @Incoming("build-requested")
    @Blocking(value = BUILD_POOL, ordered = false)
    public CompletionStage<Void> onBuildRequested(Message<String> message) {
        return consumer.consume(message, BuildRequested.class, Stage.BUILD, d -> {
            BuildRequested request = d.event();
            LOG.infof("build %s (%s) requested by %s", request.buildId(), request.component(), request.requester());
            if (!builds.handle(request)) {
                // the worker is stopping: the template leaves the record unacknowledged for the next worker
                throw new TransientFailure("worker " + builds.workerId() + " is stopping: build " + request.buildId()
                        + " handed back to the group");
            }
        });
    }
}
