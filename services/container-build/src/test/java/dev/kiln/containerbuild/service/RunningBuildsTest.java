package dev.kiln.containerbuild.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.events.BuildCanceled;
import dev.kiln.events.Stage;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/** The worker's concurrency rules, with threads and no daemon: one run per build, cancels, stopping. */
class RunningBuildsTest {
    private final RunningBuilds builds = new RunningBuilds();

    @Test
    void aSecondRunOfTheSameBuildWaitsForTheFirst() throws Exception {
        RunningBuilds.Run first = builds.register("b1");
        CompletableFuture<RunningBuilds.Run> second = CompletableFuture.supplyAsync(() -> builds.register("b1"));
        assertThrows(TimeoutException.class, () -> second.get(300, TimeUnit.MILLISECONDS));
        assertTrue(builds.isRunning("b1"));
        builds.release(first);
        RunningBuilds.Run next = second.get(5, TimeUnit.SECONDS);
        assertEquals("b1", next.buildId());
        assertTrue(next != first, "a new run");
        builds.release(next);
        assertFalse(builds.isRunning("b1"));
    }

    @Test
    void otherBuildsDoNotWait() throws Exception {
        RunningBuilds.Run a = builds.register("a");
        RunningBuilds.Run b = CompletableFuture.supplyAsync(() -> builds.register("b")).get(5, TimeUnit.SECONDS);
        assertEquals("b", b.buildId());
        builds.release(a);
        builds.release(b);
    }

    @Test
    void cancelReachesTheRunningBuild() {
        RunningBuilds.Run run = builds.register("b1");
        assertNull(run.canceledBy());
        assertTrue(builds.cancel("b1", "alice"));
        assertEquals("alice", run.canceledBy());
        assertTrue(run.stopped());
        assertFalse(run.handBack());
    }

    @Test
    void aCancelBeforeTheBuildArrivesIsKeptForIt() {
        assertFalse(builds.cancel("b1", "alice"));
        RunningBuilds.Run run = builds.register("b1");
        assertEquals("alice", run.canceledBy());
        builds.release(run);
        // the cancel was used up by the run it was for
        assertNull(builds.register("b1").canceledBy());
    }

    @Test
    void aBuildThatEndedStaysAsItEnded() {
        BuildCanceled ended = new BuildCanceled("b1", Stage.BUILD, "alice", Instant.now());
        builds.endedWithoutImage("b1", ended);
        assertFalse(builds.cancel("b1", "bob"));
        assertNull(builds.register("b1").canceledBy());
        assertSame(ended, builds.endedWithoutImage("b1").orElseThrow());
        assertTrue(builds.endedWithoutImage("other").isEmpty());
    }

    @Test
    void stopHandsBackRunningAndLaterBuildsAndWaitsForTheRunning() throws Exception {
        RunningBuilds.Run run = builds.register("b1");
        CountDownLatch stopping = new CountDownLatch(1);
        CompletableFuture<Set<String>> stop = CompletableFuture.supplyAsync(() -> {
            stopping.countDown();
            return builds.stop(Duration.ofSeconds(10));
        });
        stopping.await();
        while (!run.handBack()) {
            Thread.onSpinWait();
        }
        assertTrue(builds.isStopping());
        assertFalse(stop.isDone());
        RunningBuilds.Run later = builds.register("b2");
        assertTrue(later.handBack());
        builds.release(later);
        builds.release(run);
        assertEquals(Set.of(), stop.get(5, TimeUnit.SECONDS));
    }

    @Test
    void stopSaysWhichBuildsDidNotEndInTime() {
        builds.register("slow");
        assertEquals(Set.of("slow"), builds.stop(Duration.ofMillis(100)));
    }
}
