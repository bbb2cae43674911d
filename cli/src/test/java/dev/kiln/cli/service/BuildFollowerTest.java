package dev.kiln.cli.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.cli.client.ServerOutage;
import dev.kiln.cli.domain.Build;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;

class BuildFollowerTest {

    static final String T0 = "2025-01-01T10:00:00Z";

    static Build build(String state, boolean scratch, List<Build.HistoryEntry> history, Build.Failure failure,
            Build.ImageRef candidate, Build.ImageRef promoted) {
        return new Build("b1", "hello", state, scratch, "alice", null, "Dockerfile", null, T0, T0, history,
                failure, null, null, candidate, null, null, promoted, null);
    }

    static List<Build.HistoryEntry> history(String... stateAndAt) {
        List<Build.HistoryEntry> h = new ArrayList<>();
        for (int i = 0; i < stateAndAt.length; i += 2) {
            h.add(new Build.HistoryEntry(stateAndAt[i], stateAndAt[i + 1]));
        }
        return h;
    }

    static final Build.ImageRef CANDIDATE = new Build.ImageRef("localhost:5000", "hello", "sha256:aa",
            List.of("1.0-1"), null);
    static final Build.ImageRef PROMOTED = new Build.ImageRef("localhost:5001", "hello", "sha256:aa",
            List.of("1.0-1", "1.0", "latest"), "localhost:5001/hello@sha256:aa");

    private final StringWriter text = new StringWriter();

    private BuildFollower follower(Build... polls) {
        Iterator<Build> answers = List.of(polls).iterator();
        Build[] last = new Build[1];
        return new BuildFollower(id -> {
            if (answers.hasNext()) {
                last[0] = answers.next();
            }
            return last[0];
        }, Duration.ofMillis(10), new PrintWriter(text));
    }

    @Test
    void printsEachNewStateOnceAndReturnsThePromotedReference() throws Exception {
        String ref = follower(
                build("SUBMITTED", false, history("SUBMITTED", T0), null, null, null),
                build("BUILDING", false, history("SUBMITTED", T0, "BUILDING", "2025-01-01T10:00:01.5Z"),
                        null, null, null),
                build("COMPLETE", false, history("SUBMITTED", T0, "BUILDING", "2025-01-01T10:00:01.5Z",
                        "PUSHED", "2025-01-01T10:00:05Z", "COMPLETE", "2025-01-01T10:00:12.3Z"),
                        null, CANDIDATE, PROMOTED))
                .follow("b1", Duration.ofMinutes(1));

        assertEquals("localhost:5001/hello@sha256:aa", ref);
        assertEquals(List.of("  SUBMITTED   (0.0s)", "  BUILDING    (1.5s)", "  PUSHED      (5.0s)",
                "  COMPLETE    (12.3s)"), text.toString().lines().toList());
    }

    @Test
    void aScratchBuildEndsWithItsCandidate() throws Exception {
        String ref = follower(build("COMPLETE", true, history("SUBMITTED", T0, "COMPLETE", T0), null, CANDIDATE,
                null)).follow("b1", Duration.ofMinutes(1));
        assertEquals("localhost:5000/hello@sha256:aa", ref);
    }

    @Test
    void failedAndCanceledBuildsThrow() {
        Build failed = build("FAILED", false, history("SUBMITTED", T0, "FAILED", T0),
                new Build.Failure("build", "build-step-failed", "RUN make failed with exit code 2"), null, null);
        BuildFailedException e = assertThrows(BuildFailedException.class,
                () -> follower(failed).follow("b1", Duration.ofMinutes(1)));
        assertEquals("Build b1 FAILED at stage build (build-step-failed): RUN make failed with exit code 2",
                e.getMessage());

        Build canceled = build("CANCELED", false, history("SUBMITTED", T0, "CANCELED", T0), null, null, null);
        assertEquals("Build b1 CANCELED", assertThrows(BuildFailedException.class,
                () -> follower(canceled).follow("b1", Duration.ofMinutes(1))).getMessage());
    }

    @Test
    void givesUpAfterTheTimeout() {
        BuildFollower f = new BuildFollower(id -> build("BUILDING", false, history("SUBMITTED", T0), null, null,
                null), Duration.ofMillis(10), new PrintWriter(text));
        FollowTimeoutException e = assertThrows(FollowTimeoutException.class,
                () -> f.follow("b1", Duration.ofMillis(50)));
        assertTrue(e.getMessage().contains("kiln watch b1"), e.getMessage());
    }

    @Test
    void aCompleteBuildWithoutReferenceIsAnErrorAfterAFewPolls() {
        Build complete = build("COMPLETE", false, history("COMPLETE", T0), null, null, null);
        assertThrows(IllegalStateException.class, () -> follower(complete).follow("b1", Duration.ofMinutes(1)));
    }

    @Test
    void withoutHistoryTheStateItselfIsShown() throws Exception {
        follower(build("SUBMITTED", false, List.of(), null, null, null),
                build("BUILDING", false, List.of(), null, null, null),
                build("COMPLETE", false, List.of(), null, null, PROMOTED)).follow("b1", Duration.ofMinutes(1));
        assertEquals(List.of("  SUBMITTED", "  BUILDING", "  COMPLETE"), text.toString().lines().toList());
    }

    @Test
    void liveModeKeepsOneStatusLineAndErasesItBeforeTheResult() throws Exception {
        Iterator<Build> answers = List.of(
                build("SUBMITTED", false, history("SUBMITTED", T0), null, null, null),
                build("COMPLETE", false, history("SUBMITTED", T0, "COMPLETE", "2025-01-01T10:00:12.3Z"),
                        null, CANDIDATE, PROMOTED)).iterator();
        String ref = new BuildFollower(id -> answers.next(), Duration.ofMillis(10), new PrintWriter(text), true,
                new ServerOutage(Duration.ZERO, new PrintWriter(java.io.Writer.nullWriter())))
                .follow("b1", Duration.ofMinutes(1));
        assertEquals("localhost:5001/hello@sha256:aa", ref);
        String out = text.toString();
        assertTrue(out.startsWith("  SUBMITTED   (0.0s)\n" + BuildFollower.ERASE_LINE + "  …SUBMITTED  "), out);
        assertTrue(out.contains(" in this state, ") && out.contains(" in all"), out);
        // the status line is erased before the next state line, which starts the line again
        assertTrue(out.endsWith(BuildFollower.ERASE_LINE + "  COMPLETE    (12.3s)\n"), out);
    }
}
