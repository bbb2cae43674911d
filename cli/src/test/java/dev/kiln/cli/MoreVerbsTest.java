package dev.kiln.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainLauncher;
import io.quarkus.test.junit.main.QuarkusMainTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** login and the config file, tokens, logs (plain and followed), cancel, components, completion, live display. */
@QuarkusMainTest
class MoreVerbsTest {

    static FakeHub hub;

    @TempDir
    Path dir;

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

    private static String last(String text) {
        List<String> l = text.lines().toList();
        return l.isEmpty() ? "" : l.get(l.size() - 1);
    }

    @Test
    void loginChecksTheTokenAndStoresItForLaterCommands(QuarkusMainLauncher launcher) throws Exception {
        Path config = dir.resolve("conf/kiln/config.json");
        LaunchResult bad = launcher.launch("login", "--server", hub.url(), "--token", "kiln_wrong",
                "--config", config.toString());
        assertEquals(6, bad.exitCode(), bad.getErrorOutput());
        assertTrue(bad.getErrorOutput().contains("kiln login"), bad.getErrorOutput());
        assertFalse(Files.exists(config), "nothing stored for a refused token");

        LaunchResult ok = launcher.launch("login", "--server", hub.url() + "/", "--token", FakeHub.GOOD_TOKEN,
                "--config", config.toString());
        assertEquals(0, ok.exitCode(), ok.getErrorOutput());
        assertTrue(ok.getOutput().contains("Logged in to " + hub.url() + " as alice (maintainer)"), ok.getOutput());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(config)));
        JsonNode stored = new ObjectMapper().readTree(config.toFile());
        assertEquals(hub.url(), stored.path("server").asText());
        assertEquals(FakeHub.GOOD_TOKEN, stored.path("token").asText());

        // later commands take the server and the token from the file
        hub.reset();
        LaunchResult who = launcher.launch("whoami", "--config", config.toString());
        assertEquals(0, who.exitCode(), who.getErrorOutput());
        assertEquals("alice (maintainer) on " + hub.url(), who.getOutput().strip());
        LaunchResult show = launcher.launch("show", "b-ok", "--config", config.toString(), "-o", "json");
        assertEquals(0, show.exitCode(), show.getErrorOutput());
        assertTrue(hub.auths.contains("GET /api/v1/builds/b-ok -> Bearer " + FakeHub.GOOD_TOKEN), hub.auths.toString());

        // --token wins over the file; another --server does not get the stored token
        hub.reset();
        launcher.launch("whoami", "--config", config.toString(), "--token", FakeHub.ADMIN_TOKEN);
        assertEquals("GET /api/v1/whoami -> Bearer " + FakeHub.ADMIN_TOKEN, hub.auths.get(0));
        hub.reset();
        LaunchResult other = launcher.launch("whoami", "--config", config.toString(), "--server",
                hub.url().replace("localhost", "127.0.0.1"));
        assertEquals(6, other.exitCode(), other.getErrorOutput());
        assertEquals("GET /api/v1/whoami -> null", hub.auths.get(0));
    }

    @Test
    void containerBuildSendsTheTokenAndTakesGitAsAnOption(QuarkusMainLauncher launcher) {
        LaunchResult r = launcher.launch("container-build", "--server", hub.url(), "--token", FakeHub.GOOD_TOKEN,
                "--git", "https://git.example/hello.git#v2", "--poll-interval", "20", "--display", "plain");
        assertEquals(0, r.exitCode(), r.getErrorOutput());
        assertEquals("localhost:5001/hello@sha256:" + "a".repeat(64), last(r.getOutput()));
        assertTrue(hub.submissions.get(0).contains("\"git\":{\"url\":\"https://git.example/hello.git\",\"ref\":\"v2\"}"),
                hub.submissions.get(0));
        assertFalse(hub.submissions.get(0).contains("requester"), "the hub decides the requester");
        assertTrue(hub.auths.contains("POST /api/v1/builds -> Bearer " + FakeHub.GOOD_TOKEN), hub.auths.toString());

        assertEquals(2, launcher.launch("container-build", "--server", hub.url(), "--git", "https://x/y.git",
                "somewhere").exitCode(), "--git and SOURCE together");
        LaunchResult unauth = launcher.launch("container-build", "--server", hub.url(), "--component", "forbidden",
                "--git", "https://git.example/x.git");
        assertEquals(6, unauth.exitCode());
    }

    @Test
    void liveDisplayRewritesAStatusLineButEndsWithTheReference(QuarkusMainLauncher launcher) {
        LaunchResult r = launcher.launch("watch", "b-ok", "--server", hub.url(), "--poll-interval", "20",
                "--display", "live");
        assertEquals(0, r.exitCode(), r.getErrorOutput());
        String out = r.getOutput();
        assertTrue(out.contains("…SUBMITTED") && out.contains("in this state"), out);
        assertTrue(out.contains("in all"), out);
        assertEquals("localhost:5001/hello@sha256:" + "a".repeat(64), last(out));

        LaunchResult plain = launcher.launch("watch", "b-ok", "--server", hub.url(), "--poll-interval", "20");
        assertFalse(plain.getOutput().contains("\033["), "not a terminal: plain lines");

        LaunchResult json = launcher.launch("watch", "b-ok", "--server", hub.url(), "--poll-interval", "20",
                "-o", "json");
        assertEquals(0, json.exitCode(), json.getErrorOutput());
        assertTrue(json.getOutput().strip().startsWith("{\"id\":\"b-ok\""), json.getOutput());
    }

    @Test
    void logsPrintsOrFollows(QuarkusMainLauncher launcher) {
        LaunchResult plain = launcher.launch("logs", "b-ok", "--server", hub.url());
        assertEquals(0, plain.exitCode(), plain.getErrorOutput());
        assertEquals(List.of("Step 1/2 : FROM base", "---> abc", "Step 2/2 : RUN make"), plain.getOutput().lines().toList());

        LaunchResult follow = launcher.launch("logs", "-f", "b-ok", "--server", hub.url());
        assertEquals(0, follow.exitCode(), follow.getErrorOutput());
        assertEquals(List.of("Step 1/2 : FROM base", "---> abc", "Step 2/2 : RUN make"),
                follow.getOutput().lines().toList());

        // a dropped stream is resumed after the last event it delivered
        LaunchResult resumed = launcher.launch("logs", "--follow", "b-drop", "--server", hub.url());
        assertEquals(0, resumed.exitCode(), resumed.getErrorOutput());
        assertEquals(List.of("Step 1/2 : FROM base", "---> abc", "Step 2/2 : RUN make"),
                resumed.getOutput().lines().toList());

        LaunchResult json = launcher.launch("logs", "-f", "-o", "json", "b-ok", "--server", hub.url());
        assertEquals(List.of("{\"sequence\":0,\"lines\":[\"Step 1/2 : FROM base\",\"---> abc\"]}",
                "{\"sequence\":1,\"lines\":[\"Step 2/2 : RUN make\"]}"), json.getOutput().lines().toList());
        LaunchResult jsonPlain = launcher.launch("logs", "-o", "json", "b-ok", "--server", hub.url());
        assertTrue(jsonPlain.getOutput().contains("\"lines\":[\"Step 1/2 : FROM base\""), jsonPlain.getOutput());

        assertEquals(4, launcher.launch("logs", "nope", "--server", hub.url()).exitCode());
        assertEquals(4, launcher.launch("logs", "-f", "nope", "--server", hub.url()).exitCode());
    }

    @Test
    void cancelNeedsATokenAndReportsTheState(QuarkusMainLauncher launcher) {
        LaunchResult noToken = launcher.launch("cancel", "b-ok", "--server", hub.url(), "--config",
                dir.resolve("none.json").toString());
        assertEquals(6, noToken.exitCode());
        assertTrue(noToken.getErrorOutput().contains("kiln login"), noToken.getErrorOutput());

        LaunchResult running = launcher.launch("cancel", "b-ok", "--server", hub.url(), "--token", FakeHub.GOOD_TOKEN);
        assertEquals(0, running.exitCode(), running.getErrorOutput());
        assertEquals("Cancel of build b-ok requested (now BUILDING)", running.getOutput().strip());
        LaunchResult done = launcher.launch("cancel", "b-canceled", "--server", hub.url(), "--token",
                FakeHub.GOOD_TOKEN);
        assertEquals("Build b-canceled CANCELED", done.getOutput().strip());
    }

    @Test
    void componentsAndTokensForAdmins(QuarkusMainLauncher launcher) {
        LaunchResult add = launcher.launch("component", "add", "web", "--owner", "carol,dan", "--server", hub.url(),
                "--token", FakeHub.ADMIN_TOKEN);
        assertEquals(0, add.exitCode(), add.getErrorOutput());
        assertEquals("Component web  owners: carol, dan", add.getOutput().strip());
        assertTrue(hub.bodies.contains("POST /api/v1/components {\"name\":\"web\",\"owners\":[\"carol\",\"dan\"]}")
                || hub.bodies.contains("POST /api/v1/components {\"owners\":[\"carol\",\"dan\"],\"name\":\"web\"}"),
                hub.bodies.toString());

        LaunchResult notAdmin = launcher.launch("component", "add", "web", "--owner", "carol", "--server", hub.url(),
                "--token", FakeHub.GOOD_TOKEN);
        assertEquals(6, notAdmin.exitCode());
        assertTrue(notAdmin.getErrorOutput().contains("only an admin"), notAdmin.getErrorOutput());

        LaunchResult list = launcher.launch("component", "list", "--server", hub.url());
        assertEquals(0, list.exitCode(), list.getErrorOutput());
        assertTrue(list.getOutput().lines().anyMatch(l -> l.startsWith("hello") && l.contains("alice,bob")),
                list.getOutput());
        LaunchResult listJson = launcher.launch("component", "list", "-o", "json", "--server", hub.url());
        assertTrue(listJson.getOutput().startsWith("[{\"name\":\"hello\""), listJson.getOutput());

        LaunchResult owners = launcher.launch("component", "owners", "hello", "--server", hub.url());
        assertEquals("Component hello  owners: alice, bob", owners.getOutput().strip());
        LaunchResult set = launcher.launch("component", "owners", "hello", "erin", "--server", hub.url(), "--token",
                FakeHub.ADMIN_TOKEN);
        assertEquals(0, set.exitCode(), set.getErrorOutput());
        assertTrue(hub.bodies.contains("PUT /api/v1/components/hello/owners {\"owners\":[\"erin\"]}"),
                hub.bodies.toString());

        LaunchResult token = launcher.launch("token", "create", "--user", "carol", "--server", hub.url(), "--token",
                FakeHub.ADMIN_TOKEN);
        assertEquals(0, token.exitCode(), token.getErrorOutput());
        assertEquals("kiln_new-secret", token.getOutput().strip(), "stdout holds the token only");
        assertTrue(token.getErrorOutput().contains("not shown again"), token.getErrorOutput());
        assertTrue(hub.bodies.stream().anyMatch(b -> b.startsWith("POST /api/v1/tokens")
                && b.contains("\"user\":\"carol\"") && b.contains("\"role\":\"maintainer\"")), hub.bodies.toString());
        assertEquals(2, launcher.launch("token", "create", "--server", hub.url()).exitCode(), "--user is required");

        LaunchResult tokens = launcher.launch("token", "list", "--server", hub.url(), "--token", FakeHub.ADMIN_TOKEN);
        assertEquals(0, tokens.exitCode(), tokens.getErrorOutput());
        assertEquals("t1  carol  maintainer  created 2026-12-01T10:00:00Z by admin  ci", tokens.getOutput().strip());
        LaunchResult all = launcher.launch("token", "list", "--revoked", "--server", hub.url(), "--token",
                FakeHub.ADMIN_TOKEN);
        assertTrue(all.getOutput().contains("t0  dan  admin  created 2026-11-01T10:00:00Z by admin  REVOKED "
                + "2026-11-02T10:00:00Z by admin"), all.getOutput());
        LaunchResult revoke = launcher.launch("token", "revoke", "t1", "--server", hub.url(), "--token",
                FakeHub.ADMIN_TOKEN);
        assertEquals(0, revoke.exitCode(), revoke.getErrorOutput());
        assertEquals("Revoked token t1 of carol (maintainer) at 2026-12-04T10:00:00Z", revoke.getOutput().strip());
        LaunchResult unknown = launcher.launch("token", "revoke", "nope", "--server", hub.url(), "--token",
                FakeHub.ADMIN_TOKEN);
        assertNotEquals(0, unknown.exitCode());
        assertTrue(unknown.getErrorOutput().contains("kiln token list shows the ids"), unknown.getErrorOutput());
    }

    @Test
    void completionPrintsABashScript(QuarkusMainLauncher launcher) {
        LaunchResult r = launcher.launch("completion");
        assertEquals(0, r.exitCode(), r.getErrorOutput());
        assertTrue(r.getOutput().contains("complete -F"), r.getOutput().substring(0, Math.min(500, r.getOutput().length())));
        assertTrue(r.getOutput().contains("container-build") && r.getOutput().contains("logs"));
    }
}
