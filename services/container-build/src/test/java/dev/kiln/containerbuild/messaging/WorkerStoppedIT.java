package dev.kiln.containerbuild.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.github.dockerjava.api.DockerClient;
import dev.kiln.events.BuildCanceled;
import dev.kiln.events.BuildCompleted;
import dev.kiln.events.BuildFailed;
import dev.kiln.events.BuildLog;
import dev.kiln.events.BuildRequested;
import dev.kiln.events.BuildStarted;
import dev.kiln.events.EventType;
import dev.kiln.events.KilnEvent;
import dev.kiln.testsupport.KafkaResource;
import dev.kiln.testsupport.KafkaTestClient;
import dev.kiln.testsupport.TestDocker;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A worker stopped mid-build (SIGTERM: a rolling update, a scale-down, an eviction) hands its build back to the group
 * instead of failing it: the packaged jar takes a build from one of its partitions and is stopped while the build's
 * {@code RUN} step waits at a gate that never lets the stopped worker's step through. The worker stops the build (its
 * intermediate container goes away), says so in the build log, sends no outcome and leaves the record unacknowledged,
 * so its offset stays uncommitted and the test's Quarkus instance, which gets the partition when the stopped worker
 * leaves the group, builds it again: a second {@code build.started} naming the survivor, then the one
 * {@code build.completed}, and no {@code build.failed} or {@code build.canceled}. A second build on the same partition,
 * waiting behind the first when the worker is stopped, is not started by the stopping worker: the survivor builds it
 * too. Runs in the integration-test phase.
 */
@QuarkusTest
@QuarkusTestResource(KafkaResource.class)
@QuarkusTestResource(ContextServerResource.class)
@QuarkusTestResource(BuilderResource.class)
class WorkerStoppedIT {
    private static final Logger LOG = Logger.getLogger(WorkerStoppedIT.class);
    private static final Duration WAIT = Duration.ofSeconds(120);
    /** Only a guard against a worker that never exits; how long it takes is logged, not asserted. */
    private static final Duration EXIT_BOUND = Duration.ofSeconds(60);

    private static PackagedWorker stopped;
    private static RunGate gate;
    /** Released when the test ends: the stopped worker's RUN step (the gate's first call) is held until then. */
    private static final CountDownLatch testEnded = new CountDownLatch(1);
    private static DockerClient docker;
    private static String buildId;
    private static final List<String> builds = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        docker = TestDocker.client();
        AtomicInteger calls = new AtomicInteger();
        gate = RunGate.answering(() -> {
            if (calls.incrementAndGet() > 1) {
                return "go";
            }
            try {
                testEnded.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return "stale";
        });
        stopped = PackagedWorker.start("worker-stopped-packaged", Map.of());
    }

    @AfterAll
    static void stop() throws Exception {
        testEnded.countDown();
        if (stopped != null) {
            stopped.close();
        }
        if (gate != null) {
            gate.close();
        }
        BuildGroup.removeImages(builds);
    }

    @Test
    void buildOfAStoppedWorkerIsHandedBackToTheGroup() throws Exception {
        String survivor = BuildGroup.testWorkerId();
        BuildGroup.Owners owners = BuildGroup.awaitOwners(Set.of(survivor, stopped.workerId()), stopped, WAIT);
        int partition = owners.first(stopped.workerId());
        String digest = BuildGroup.putContext(BuildGroup.baseDockerfile() + gate.runLine());
        BuildRequested request = BuildGroup.request(owners.idOn(stopped.workerId(), partition), digest);
        buildId = request.buildId();
        builds.add(buildId);
        BuildRequested queued = BuildGroup.request(owners.idOn(stopped.workerId(), partition),
                BuildGroup.putContext(BuildGroup.baseDockerfile() + "RUN true\n"));
        builds.add(queued.buildId());

        try (KafkaTestClient kafka = new KafkaTestClient(EventType.BUILD_STARTED, EventType.BUILD_LOG,
                EventType.BUILD_COMPLETED, EventType.BUILD_FAILED)) {
            kafka.send(request);
            BuildStarted first = kafka.await(BuildStarted.class, e -> e.buildId().equals(buildId), WAIT);
            assertEquals(stopped.workerId(), first.workerId(), "the build went to the worker owning its partition");
            gate.awaitCalls(1, WAIT);
            String container = BuildGroup.runStepContainer(kafka, buildId, WAIT);
            assertTrue(BuildGroup.running(docker, container), "the stopped worker's RUN step is running in " + container);
            kafka.send(queued); // one build at a time: it waits behind the held build until the worker stops

            long sigterm = System.nanoTime();
            if (!stopped.terminate(EXIT_BOUND)) {
                fail("the packaged worker did not exit within " + EXIT_BOUND + " of SIGTERM: " + stopped.output());
            }
            LOG.infof("the packaged worker exited %d ms after SIGTERM", (System.nanoTime() - sigterm) / 1_000_000);
            String handedBack = "[kiln] worker " + stopped.workerId() + " is stopping: build handed back to the group";
            kafka.await(BuildLog.class, l -> l.buildId().equals(buildId) && l.lines().contains(handedBack), WAIT);
            assertTrue(stopped.output().contains("build " + buildId + " handed back to the group"),
                    "the stopped worker logs the build it handed back: " + stopped.output());

            BuildStarted second = kafka.await(BuildStarted.class, e -> e.buildId().equals(buildId), WAIT);
            assertEquals(survivor, second.workerId(), "the surviving worker took the build over");
            assertEquals(TestDocker.host(), second.dockerHost());
            BuildCompleted completed = BuildGroup.completed(kafka, request, WAIT);
            assertEquals(TestDocker.host(), completed.dockerHost());
            BuildGroup.awaitRemoved(docker, container, "the stopped worker's build container", WAIT);
            // the build after it on the partition: once it is done, the survivor is past the stopped worker's build
            BuildStarted queuedStarted = kafka.await(BuildStarted.class, e -> e.buildId().equals(queued.buildId()), WAIT);
            assertEquals(survivor, queuedStarted.workerId(), "the waiting build was left to the survivor");
            BuildGroup.completed(kafka, queued, WAIT);
        }

        assertOneOutcome(buildId, List.of(stopped.workerId(), survivor));
        assertOneOutcome(queued.buildId(), List.of(survivor));
    }

    /** The build was started by {@code startedBy}, in this order, and has one outcome: build.completed. */
    private static void assertOneOutcome(String id, List<String> startedBy) {
        List<KilnEvent> events = BuildGroup.eventsSoFar(id, EventType.BUILD_STARTED, EventType.BUILD_COMPLETED,
                EventType.BUILD_FAILED, EventType.BUILD_CANCELED);
        assertEquals(startedBy, events.stream().filter(BuildStarted.class::isInstance)
                .map(e -> ((BuildStarted) e).workerId()).toList(), "the workers that started build " + id);
        assertEquals(1, events.stream().filter(BuildCompleted.class::isInstance).count(), "one build.completed: " + events);
        assertEquals(0, events.stream().filter(e -> e instanceof BuildFailed || e instanceof BuildCanceled).count(),
                "no other outcome: " + events);
    }
}
