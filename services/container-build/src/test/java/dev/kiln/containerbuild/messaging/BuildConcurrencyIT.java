package dev.kiln.containerbuild.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.events.BuildCompleted;
import dev.kiln.events.BuildRequested;
import dev.kiln.events.BuildStarted;
import dev.kiln.events.EventType;
import dev.kiln.testsupport.KafkaResource;
import dev.kiln.testsupport.KafkaTestClient;
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
 * {@code kiln.build.concurrency}: the packaged jar started with {@code KILN_BUILD_CONCURRENCY=2} builds two builds at
 * once. Both are placed on the same partition it owns, and both {@code RUN} steps meet at a barrier that lets them
 * through only once both are waiting at it, so they can only succeed by running side by side on the one worker.
 * Runs in the integration-test phase, after the jar is packaged.
 */
@QuarkusTest
@QuarkusTestResource(KafkaResource.class)
@QuarkusTestResource(ContextServerResource.class)
@QuarkusTestResource(BuilderResource.class)
class BuildConcurrencyIT {
    private static final Duration WAIT = Duration.ofSeconds(120);

    private static PackagedWorker worker;
    private static RunGate barrier;
    private static final List<String> builds = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        barrier = RunGate.barrier(2);
        worker = PackagedWorker.start("concurrency-packaged", Map.of("KILN_BUILD_CONCURRENCY", "2"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (worker != null) {
            worker.close();
        }
        if (barrier != null) {
            barrier.close();
        }
        BuildGroup.removeImages(builds);
    }

    @Test
    void workerWithConcurrencyTwoBuildsTwoBuildsAtOnce() throws Exception {
        BuildGroup.Owners owners = BuildGroup.awaitOwners(Set.of(BuildGroup.testWorkerId(), worker.workerId()), worker,
                WAIT);
        int partition = owners.first(worker.workerId());
        String digest = BuildGroup.putContext(BuildGroup.baseDockerfile() + barrier.runLine());
        BuildRequested a = BuildGroup.request(owners.idOn(worker.workerId(), partition), digest);
        BuildRequested b = BuildGroup.request(owners.idOn(worker.workerId(), partition), digest);
        builds.addAll(List.of(a.buildId(), b.buildId()));

        try (KafkaTestClient kafka = new KafkaTestClient(EventType.BUILD_STARTED, EventType.BUILD_COMPLETED,
                EventType.BUILD_FAILED)) {
            kafka.send(a);
            kafka.send(b);
            BuildStarted startedA = kafka.await(BuildStarted.class, e -> e.buildId().equals(a.buildId()), WAIT);
            BuildStarted startedB = kafka.await(BuildStarted.class, e -> e.buildId().equals(b.buildId()), WAIT);
            BuildCompleted completedA = BuildGroup.completed(kafka, a, WAIT);
            BuildCompleted completedB = BuildGroup.completed(kafka, b, WAIT);

            assertEquals(worker.workerId(), startedA.workerId());
            assertEquals(worker.workerId(), startedB.workerId());
            // each build started before the other one completed: they ran at the same time
            assertTrue(startedA.time().isBefore(completedB.time()), startedA + " / " + completedB);
            assertTrue(startedB.time().isBefore(completedA.time()), startedB + " / " + completedA);
        }
    }
}
