package dev.kiln.containerbuild.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.events.BuildCompleted;
import dev.kiln.events.BuildRequested;
import dev.kiln.events.BuildStarted;
import dev.kiln.events.EventType;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Scale-out: this test's Quarkus instance and the packaged jar ({@code target/quarkus-app/quarkus-run.jar}, started
 * as a second process) share {@code kiln.build.requested} through the consumer group {@code kiln-container-build}.
 * Two builds, one on a partition of each worker, meet at a barrier inside their {@code RUN} step (a loopback HTTP
 * endpoint that answers only once both have arrived), so they can only succeed by running at the same time; their
 * started/completed times overlap. Runs in the integration-test phase, after the jar is packaged.
 */
@QuarkusTest
@QuarkusTestResource(KafkaResource.class)
@QuarkusTestResource(ContextServerResource.class)
@QuarkusTestResource(BuilderResource.class)
class TwoWorkersIT {
    private static final Duration WAIT = Duration.ofSeconds(120);

    private static PackagedWorker packaged;
    private static RunGate barrier;
    private static final List<String> builds = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void startSecondWorker() throws Exception {
        barrier = RunGate.barrier(2);
        packaged = PackagedWorker.start("two-workers-packaged", Map.of());
    }

    @AfterAll
    static void stop() throws Exception {
        if (packaged != null) {
            packaged.close();
        }
        if (barrier != null) {
            barrier.close();
        }
        BuildGroup.removeImages(builds);
    }

    @Test
    void twoWorkersBuildTwoBuildsAtOnce() throws Exception {
        String local = BuildGroup.testWorkerId();
        BuildGroup.Owners owners = BuildGroup.awaitOwners(Set.of(local, packaged.workerId()), packaged, WAIT);
        String digest = BuildGroup.putContext(BuildGroup.baseDockerfile() + barrier.runLine());
        BuildRequested a = BuildGroup.request(owners.idOn(local, owners.first(local)), digest);
        BuildRequested b = BuildGroup.request(owners.idOn(packaged.workerId(), owners.first(packaged.workerId())), digest);
        builds.addAll(List.of(a.buildId(), b.buildId()));

        try (KafkaTestClient kafka = new KafkaTestClient(EventType.BUILD_STARTED, EventType.BUILD_COMPLETED,
                EventType.BUILD_FAILED)) {
            kafka.send(a);
            kafka.send(b);
            BuildStarted startedA = kafka.await(BuildStarted.class, e -> e.buildId().equals(a.buildId()), WAIT);
            BuildStarted startedB = kafka.await(BuildStarted.class, e -> e.buildId().equals(b.buildId()), WAIT);
            BuildCompleted completedA = BuildGroup.completed(kafka, a, WAIT);
            BuildCompleted completedB = BuildGroup.completed(kafka, b, WAIT);

            assertEquals(local, startedA.workerId(), "each build goes to the worker owning its partition");
            assertEquals(packaged.workerId(), startedB.workerId(), "each build goes to the worker owning its partition");
            assertEquals(TestDocker.host(), startedA.dockerHost());
            // each build started before the other one completed: they ran at the same time
            assertTrue(startedA.time().isBefore(completedB.time()), startedA + " / " + completedB);
            assertTrue(startedB.time().isBefore(completedA.time()), startedB + " / " + completedA);
        }
    }
}
