package dev.kiln.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainLauncher;
import io.quarkus.test.junit.main.QuarkusMainTest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kiln command as a whole (picocli, REST client, exit-code mapping) against {@link FakeHub}, a canned
 * stand-in for build-submission's REST API. The real end-to-end test with the real hub lives in e2e-tests.
 */
@QuarkusMainTest
class KilnCommandTest {

    static FakeHub hub;

    @TempDir
    Path context;

    @BeforeAll
    static void startHub() throws IOException {
        hub = new FakeHub();
    }

    @AfterAll
    static void stopHub() {
        hub.close();
    }

    @BeforeEach
    void resetHub() {
        hub.reset();
    }

    private void writeContext() throws IOException {
        Files.writeString(context.resolve("Dockerfile"), "FROM localhost:5001/base/busybox:latest\n"
                + "LABEL name=hello version=1.0\n");
        Files.writeString(context.resolve("hello.sh"), "echo hello\n");
        Files.writeString(context.resolve("secret.key"), "do not send\n");
        Files.writeString(context.resolve(".dockerignore"), "*.key\n");
    }

    private static List<String> lines(String text) {
        return text.lines().toList();
    }

    private static String last(String text) {
        List<String> l = lines(text);
        return l.isEmpty() ? "" : l.get(l.size() - 1);
    }

    @Test
    void containerBuildUploadsTheContextSubmitsAndFollowsToThePromotedImage(QuarkusMainLauncher launcher)
            throws IOException {
        writeContext();
        LaunchResult result = launcher.launch("container-build", "--server", hub.url(), "--requester", "alice",
                context.toString());

        assertEquals(0, result.exitCode(), result.getErrorOutput());
        List<String> out = lines(result.getOutput());
        assertEquals(List.of(
                "Build b-ok submitted: hello-1.0-1",
                "  SUBMITTED   (0.0s)",
                "  BUILDING    (1.5s)",
                "  PUSHED      (5.0s)",
                "  COMPLETE    (12.3s)",
                "localhost:5001/hello@sha256:" + "a".repeat(64)), out);

        assertEquals(1, hub.contexts.size());
        assertEquals("application/x-tar", hub.contextTypes.get(0));
        assertEquals(String.valueOf(hub.contexts.get(0).length), hub.contextLengths.get(0), "sent with a length");
        List<String> names = new ArrayList<>();
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new ByteArrayInputStream(hub.contexts.get(0)))) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                names.add(e.getName());
            }
        }
        assertEquals(List.of(".dockerignore", "Dockerfile", "hello.sh"), names);

        String submitted = hub.submissions.get(0);
        assertTrue(submitted.contains("\"context\":{\"digest\":\"sha256:" + "c".repeat(64) + "\"}"), submitted);
        assertTrue(submitted.contains("\"dockerfile\":\"Dockerfile\""), submitted);
        assertTrue(submitted.contains("\"scratch\":false"), submitted);
        assertTrue(submitted.contains("\"requester\":\"alice\""), submitted);
        assertFalse(submitted.contains("\"git\""), submitted);
        assertFalse(submitted.contains("\"component\""), "no --component: the server decides: " + submitted);
    }

    @Test
    void aScratchBuildFromGitEndsWithTheCandidate(QuarkusMainLauncher launcher) {
        LaunchResult result = launcher.launch("container-build", "--server", hub.url(), "--scratch",
                "--component", "hello", "--poll-interval", "20", "https://git.example/hello.git#v1");

        assertEquals(0, result.exitCode(), result.getErrorOutput());
        assertEquals("localhost:5000/hello@sha256:" + "a".repeat(64), last(result.getOutput()));
        assertTrue(hub.contexts.isEmpty());
        String submitted = hub.submissions.get(0);
        assertTrue(submitted.contains("\"git\":{\"url\":\"https://git.example/hello.git\",\"ref\":\"v1\"}"),
                submitted);
        assertTrue(submitted.contains("\"component\":\"hello\""), submitted);
        assertTrue(submitted.contains("\"scratch\":true"), submitted);
    }

    @Test
    void noWaitOnlySubmits(QuarkusMainLauncher launcher) {
        LaunchResult result = launcher.launch("container-build", "--server", hub.url(), "--no-wait",
                "https://git.example/hello.git");

        assertEquals(0, result.exitCode(), result.getErrorOutput());
        assertEquals(List.of("Build b-ok submitted: hello-1.0-1"), lines(result.getOutput()));
        assertTrue(hub.submissions.get(0).contains("\"ref\":\"main\""), hub.submissions.get(0));
        assertTrue(hub.polls.isEmpty());
    }

    @Test
    void aFailedBuildExitsOneWithStageReasonAndMessage(QuarkusMainLauncher launcher) {
        LaunchResult result = launcher.launch("container-build", "--server", hub.url(), "--component", "broken",
                "--poll-interval", "20", "https://git.example/broken.git");

        assertEquals(1, result.exitCode());
        assertTrue(result.getErrorOutput().contains(
                "Build b-fail FAILED at stage build (build-step-failed): RUN make exited with 2"),
                result.getErrorOutput());
        assertEquals("  FAILED      (3.0s)", last(result.getOutput()));
    }

    @Test
    void watchFollowsLikeContainerBuild(QuarkusMainLauncher launcher) {
        LaunchResult ok = launcher.launch("watch", "b-ok", "--server", hub.url(), "--poll-interval", "20");
        assertEquals(0, ok.exitCode(), ok.getErrorOutput());
        assertEquals("localhost:5001/hello@sha256:" + "a".repeat(64), last(ok.getOutput()));

        LaunchResult canceled = launcher.launch("watch", "b-canceled", "--server", hub.url(),
                "--poll-interval", "20");
        assertEquals(1, canceled.exitCode());
        assertTrue(canceled.getErrorOutput().contains("Build b-canceled CANCELED"), canceled.getErrorOutput());
    }

    @Test
    void watchRidesOutAHubRestart(QuarkusMainLauncher launcher) {
        hub.outageAtPoll(2, java.time.Duration.ofMillis(2500));
        LaunchResult ok = launcher.launch("watch", "b-ok", "--server", hub.url(), "--poll-interval", "20");
        assertEquals(0, ok.exitCode(), ok.getErrorOutput());
        assertEquals(1, hub.restarts.get());
        assertEquals("localhost:5001/hello@sha256:" + "a".repeat(64), last(ok.getOutput()));
        String err = ok.getErrorOutput();
        assertTrue(err.contains("following build b-ok again when the server is back (giving up after 300s)"), err);
        assertTrue(err.contains("the server is back after"), err);
        assertEquals(2, err.lines().count(), "one notice when it goes, one when it is back: " + err);
    }

    @Test
    void watchGivesUpWhenTheHubStaysAway(QuarkusMainLauncher launcher) throws Exception {
        hub.outageAtPoll(2, java.time.Duration.ofSeconds(6));
        LaunchResult gone = launcher.launch("watch", "b-ok", "--server", hub.url(), "--poll-interval", "20",
                "--reconnect-for", "2");
        assertEquals(3, gone.exitCode(), gone.getErrorOutput());
        assertTrue(gone.getErrorOutput().contains("giving up after 2s"), gone.getErrorOutput());
        assertFalse(gone.getErrorOutput().contains("\tat "), "no stack trace without --verbose");
        // the hub comes back before the next test uses it
        for (long end = System.nanoTime() + 30_000_000_000L; hub.restarts.get() == 0 && System.nanoTime() < end;) {
            Thread.sleep(50);
        }
        assertEquals(1, hub.restarts.get());
    }

    @Test
    void followingGivesUpAfterTheTimeoutWithExitFive(QuarkusMainLauncher launcher) {
        LaunchResult result = launcher.launch("watch", "b-slow", "--server", hub.url(), "--timeout", "1",
                "--poll-interval", "100");
        assertEquals(5, result.exitCode());
        assertTrue(result.getErrorOutput().contains("Gave up following build b-slow after 1s"),
                result.getErrorOutput());
        assertFalse(result.getErrorOutput().contains("\tat "), "no stack trace without --verbose");
    }

    @Test
    void aRefusalExitsFourOrSixWithTitleAndDetail(QuarkusMainLauncher launcher) {
        LaunchResult refused = launcher.launch("container-build", "--server", hub.url(), "--component",
                "forbidden", "https://git.example/x.git");
        assertEquals(6, refused.exitCode(), "403 is 'not allowed'");
        assertTrue(refused.getErrorOutput().contains("Component not owned: alice may not build forbidden"),
                refused.getErrorOutput());

        LaunchResult missing = launcher.launch("show", "nope", "--server", hub.url());
        assertEquals(4, missing.exitCode());
        assertTrue(missing.getErrorOutput().contains("Build not found: no build with id nope"),
                missing.getErrorOutput());
        assertEquals("", missing.getOutput());
    }

    @Test
    void aServerErrorExitsFive(QuarkusMainLauncher launcher) {
        LaunchResult result = launcher.launch("show", "b-500", "--server", hub.url());
        assertEquals(5, result.exitCode());
        assertTrue(result.getErrorOutput().contains("Internal Server Error: database is down"),
                result.getErrorOutput());
        assertFalse(result.getErrorOutput().contains("\tat "), "no stack trace without --verbose");

        LaunchResult verbose = launcher.launch("show", "b-500", "--server", hub.url(), "--verbose");
        assertEquals(5, verbose.exitCode());
        assertTrue(verbose.getErrorOutput().contains("\tat "), "--verbose prints the stack trace");
    }

    @Test
    void anUnreachableServerExitsThree(QuarkusMainLauncher launcher) throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        LaunchResult result = launcher.launch("show", "b-ok", "--server", "http://localhost:" + port);
        assertEquals(3, result.exitCode());
        assertTrue(result.getErrorOutput().contains("cannot reach the Kiln server at http://localhost:" + port),
                result.getErrorOutput());
    }

    @Test
    void usageErrorsExitTwo(QuarkusMainLauncher launcher) {
        assertEquals(2, launcher.launch("container-build").exitCode());
        assertEquals(2, launcher.launch("no-such-verb").exitCode());
        assertEquals(2, launcher.launch("show", "b-ok", "--output", "yaml").exitCode());
        assertEquals(2, launcher.launch("container-build", "--server", hub.url(),
                context.resolve("missing").toString()).exitCode());
        assertEquals(2, launcher.launch("container-build", "--server", hub.url(), context.toString())
                .exitCode(), "a context without a Dockerfile");
        assertTrue(hub.submissions.isEmpty());
    }

    @Test
    void showPrintsTextOrTheServerJson(QuarkusMainLauncher launcher) {
        LaunchResult json = launcher.launch("show", "b-ok", "--output", "json", "--server", hub.url());
        assertEquals(0, json.exitCode(), json.getErrorOutput());
        assertEquals(FakeHub.record("b-ok", 1), json.getOutput().strip());

        LaunchResult text = launcher.launch("show", "b-ok", "--server", hub.url());
        assertEquals(0, text.exitCode(), text.getErrorOutput());
        assertTrue(text.getOutput().contains("Build:      b-ok"), text.getOutput());
        assertTrue(text.getOutput().contains("NVR:        hello-1.0-1"), text.getOutput());
        assertTrue(text.getOutput().contains("State:      BUILDING"), text.getOutput());
    }

    @Test
    void showPrintsTheLayersAfterTheOtherFieldsAndJsonPassesThemThrough(QuarkusMainLauncher launcher) {
        LaunchResult text = launcher.launch("show", "b-layers", "--server", hub.url());
        assertEquals(0, text.exitCode(), text.getErrorOutput());
        List<String> out = lines(text.getOutput());
        int at = out.indexOf("Layers (bottom first):");
        assertTrue(at > out.indexOf("State:      COMPLETE") && at > 0, text.getOutput());
        assertEquals(List.of(
                "  #  DIFF ID           SIZE    CREATED BY",
                "  1  sha256:33333333…  4.3 MB  ADD file:busybox in /",
                "  2  sha256:44444444…  12 B    COPY hello.txt /",
                "  3  sha256:55555555…  123 MB  RUN apt-get update \\ && apt-get install -y --no-…",
                "  4  sha256:66666666…  0 B     -"), out.subList(at + 1, out.size()), text.getOutput());

        LaunchResult json = launcher.launch("show", "b-layers", "-o", "json", "--server", hub.url());
        assertEquals(0, json.exitCode(), json.getErrorOutput());
        assertEquals(FakeHub.layered(), json.getOutput().strip());

        LaunchResult none = launcher.launch("show", "b-ok", "--server", hub.url());
        assertEquals(0, none.exitCode(), none.getErrorOutput());
        assertFalse(none.getOutput().contains("Layers"), "a record without layers has no layers section");
    }

    @Test
    void listPrintsATableAndPassesFilters(QuarkusMainLauncher launcher) {
        LaunchResult result = launcher.launch("list", "--component", "hello", "--state", "complete", "--limit",
                "5", "--server", hub.url());
        assertEquals(0, result.exitCode(), result.getErrorOutput());
        List<String> out = lines(result.getOutput());
        assertEquals(3, out.size(), result.getOutput());
        assertTrue(out.get(0).startsWith("ID"), out.get(0));
        assertTrue(out.get(1).startsWith("b-ok") && out.get(1).contains("COMPLETE"), out.get(1));
        assertTrue(out.get(2).startsWith("b-fail") && out.get(2).contains("FAILED"), out.get(2));
        assertEquals("component=hello&state=COMPLETE&limit=5", hub.listQueries.get(0));

        LaunchResult json = launcher.launch("list", "-o", "json", "--server", hub.url());
        assertEquals(0, json.exitCode(), json.getErrorOutput());
        assertTrue(json.getOutput().startsWith("[{\"id\":\"b-ok\""), json.getOutput());
    }
}
