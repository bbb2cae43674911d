package dev.kiln.containerbuild.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.github.dockerjava.api.DockerClient;
import dev.kiln.events.BuildCanceled;
import dev.kiln.events.BuildCompleted;
import dev.kiln.events.BuildFailed;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A worker killed mid-build (SIGKILL, no goodbye to the group) loses nothing: the packaged jar takes a build from one
 * of its partitions and is killed while the build's {@code RUN} step waits at a gate that never lets the killed
 * worker's step through; the group gives the partition to the test's Quarkus instance once the killed worker's
 * session expires, and since the build's offset was never committed the survivor builds it again from the start:
 * a second {@code build.started} naming the survivor, then the one {@code build.completed}. The daemon cancels the
 * killed worker's half-done build: its intermediate container goes away. Runs in the integration-test phase.
 */
@QuarkusTest
@QuarkusTestResource(KafkaResource.class)
@QuarkusTestResource(ContextServerResource.class)
@QuarkusTestResource(BuilderResource.class)
class WorkerKilledIT {
    private static final Duration WAIT = Duration.ofSeconds(120);

    private static PackagedWorker doomed;
    private static RunGate gate;
    /** Released when the test ends: the killed worker's RUN step is held until then, and is then told to fail. */
    private static final CountDownLatch testEnded = new CountDownLatch(1);
    private static DockerClient docker;
    private static String buildId;
    private static final List<String> builds = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        docker = TestDocker.client();
        gate = RunGate.answering(() -> {
            if (!doomed.isAlive()) {
                return "go";
            }
            try {
                testEnded.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return "stale";
        });
        doomed = PackagedWorker.start("worker-killed-packaged", Map.of());
    }

    @AfterAll
    static void stop() throws Exception {
        testEnded.countDown();
        if (doomed != null) {
            doomed.close();
        }
        if (gate != null) {
            gate.close();
        }
        BuildGroup.removeImages(builds);
    }

    @Test
    void buildOfAKilledWorkerIsBuiltAgainBySurvivor() throws Exception {
        String survivor = BuildGroup.testWorkerId();
        BuildGroup.Owners owners = BuildGroup.awaitOwners(Set.of(survivor, doomed.workerId()), doomed, WAIT);
        int partition = owners.first(doomed.workerId());
        String digest = BuildGroup.putContext(BuildGroup.baseDockerfile() + gate.runLine());
        BuildRequested request = BuildGroup.request(owners.idOn(doomed.workerId(), partition), digest);
        buildId = request.buildId();
        builds.add(buildId);

        try (KafkaTestClient kafka = new KafkaTestClient(EventType.BUILD_STARTED, EventType.BUILD_LOG,
                EventType.BUILD_COMPLETED, EventType.BUILD_FAILED)) {
            kafka.send(request);
            BuildStarted first = kafka.await(BuildStarted.class, e -> e.buildId().equals(buildId), WAIT);
            assertEquals(doomed.workerId(), first.workerId(), "the build went to the worker owning its partition");
            gate.awaitCalls(1, WAIT);
            String container = BuildGroup.runStepContainer(kafka, buildId, WAIT);
            assertTrue(BuildGroup.running(docker, container), "the killed worker's RUN step is running in " + container);

            doomed.kill();

            BuildStarted second = kafka.await(BuildStarted.class, e -> e.buildId().equals(buildId), WAIT);
            assertEquals(survivor, second.workerId(), "the surviving worker took the build over");
            assertEquals(TestDocker.host(), second.dockerHost());
            BuildCompleted completed = BuildGroup.completed(kafka, request, WAIT);
            assertEquals(TestDocker.host(), completed.dockerHost());
            BuildGroup.awaitRemoved(docker, container, "the killed worker's build container", WAIT);

            // a later build on the same partition: once it is done, the survivor is past the killed worker's build
            BuildRequested after = BuildGroup.request(owners.idOn(doomed.workerId(), partition),
                    BuildGroup.putContext(BuildGroup.baseDockerfile()));
            builds.add(after.buildId());
            kafka.send(after);
            BuildGroup.completed(kafka, after, WAIT);
        }

        List<KilnEvent> events = BuildGroup.eventsSoFar(buildId, EventType.BUILD_STARTED, EventType.BUILD_COMPLETED,
                EventType.BUILD_FAILED, EventType.BUILD_CANCELED);
        assertEquals(List.of(doomed.workerId(), survivor), events.stream().filter(BuildStarted.class::isInstance)
                .map(e -> ((BuildStarted) e).workerId()).toList(), "started by the killed worker, then by the survivor");
        assertEquals(1, events.stream().filter(BuildCompleted.class::isInstance).count(), "one build.completed: " + events);
        assertEquals(0, events.stream().filter(e -> e instanceof BuildFailed || e instanceof BuildCanceled).count(),
                "no other outcome: " + events);
    }
}
