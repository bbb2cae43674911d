package dev.kiln.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.kiln.support.tls.CertificateAuthority;
import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainLauncher;
import io.quarkus.test.junit.main.QuarkusMainTest;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** kiln promote and kiln waive against a fake release service; kiln certs into a temporary directory. */
@QuarkusMainTest
class ReleaseVerbsTest {
    static final String TOKEN = "kiln_releng";
    static final ObjectMapper JSON = new ObjectMapper();
    static HttpServer release;
    static final List<String> requests = new CopyOnWriteArrayList<>();

    @TempDir
    Path dir;

    @BeforeAll
    static void start() throws IOException {
        release = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        release.createContext("/api/v1/promotions", ReleaseVerbsTest::promotions);
        release.createContext("/api/v1/waivers", ReleaseVerbsTest::waivers);
        release.start();
    }

    @AfterAll
    static void stop() {
        release.stop(0);
    }

    @BeforeEach
    void reset() {
        requests.clear();
    }

    static String url() {
        return "http://localhost:" + release.getAddress().getPort();
    }

    private static void promotions(HttpExchange x) throws IOException {
        JsonNode body = JSON.readTree(x.getRequestBody().readAllBytes());
        requests.add(x.getRequestMethod() + " " + body + " " + x.getRequestHeaders().getFirst("Authorization"));
        if (!("Bearer " + TOKEN).equals(x.getRequestHeaders().getFirst("Authorization"))) {
            problem(x, 401, "Unauthorized", "a bearer token is needed");
            return;
        }
        String to = body.path("to").asText("localhost:5002");
        if (to.equals("nowhere:1")) {
            problem(x, 400, "Bad Request", "unknown target registry nowhere:1");
            return;
        }
        String promotion = "{\"buildId\":\"%s\",\"fromRegistry\":\"localhost:5001\",\"fromRepository\":\"hello\","
                + "\"toRegistry\":\"" + to + "\",\"toRepository\":\"hello\",\"digest\":\"sha256:" + "d".repeat(64) + "\","
                + "\"tags\":[\"1.0-1\",\"latest\"],\"reference\":\"x\",\"promotedBy\":\"rel\",\"time\":\"2025-01-01T10:00:00Z\","
                + "\"created\":%s}";
        switch (body.path("buildId").asText()) {
            case "b-new" -> send(x, 201, "application/json", promotion.formatted("b-new", "true"));
            case "b-done" -> send(x, 200, "application/json", promotion.formatted("b-done", "false"));
            case "b-closed" -> send(x, 409, "application/problem+json", "{\"type\":\"about:blank\",\"title\":\"Gate closed\","
                    + "\"status\":409,\"detail\":\"the gate of build b-closed is not satisfied\",\"satisfiedRequirements\":"
                    + "[\"signature:cosign present\"],\"unsatisfiedRequirements\":[\"test-case:smoke failed\"]}");
            case "b-scratch" -> problem(x, 409, "Conflict", "build b-scratch is a scratch build");
            case "b-broken" -> problem(x, 502, "Bad Gateway", "the copy to localhost:5002 failed");
            default -> problem(x, 404, "Not Found", "no build " + body.path("buildId").asText());
        }
    }

    private static void waivers(HttpExchange x) throws IOException {
        JsonNode body = JSON.readTree(x.getRequestBody().readAllBytes());
        requests.add(x.getRequestMethod() + " " + body + " " + x.getRequestHeaders().getFirst("Authorization"));
        if (!("Bearer " + TOKEN).equals(x.getRequestHeaders().getFirst("Authorization"))) {
            problem(x, 403, "Forbidden", "release engineers only");
            return;
        }
        send(x, 201, "application/json", "{\"buildId\":\"" + body.path("buildId").asText() + "\",\"testCase\":\""
                + body.path("testCase").asText() + "\",\"comment\":\"c\",\"waivedBy\":\"rel\",\"time\":\"2025-01-01T10:00:00Z\"}");
    }

    private static void problem(HttpExchange x, int status, String title, String detail) throws IOException {
        send(x, status, "application/problem+json", "{\"type\":\"about:blank\",\"title\":\"" + title + "\",\"status\":"
                + status + ",\"detail\":\"" + detail + "\"}");
    }

    private static void send(HttpExchange x, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().add("Content-Type", type);
        x.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = x.getResponseBody()) {
            out.write(bytes);
        }
    }

    private LaunchResult promote(QuarkusMainLauncher launcher, String... args) {
        String[] all = new String[args.length + 5];
        all[0] = "promote";
        System.arraycopy(args, 0, all, 1, args.length);
        all[args.length + 1] = "--release-url";
        all[args.length + 2] = url();
        all[args.length + 3] = "--config";
        all[args.length + 4] = dir.resolve("none.json").toString();
        return launcher.launch(all);
    }

    @Test
    void promoteCreatesOrReportsThePromotion(QuarkusMainLauncher launcher) {
        LaunchResult created = promote(launcher, "b-new", "--token", TOKEN);
        assertEquals(0, created.exitCode(), created.getErrorOutput());
        String digest = "sha256:" + "d".repeat(64);
        assertTrue(created.getOutput().contains("Promoted build b-new to localhost:5002/hello@" + digest), created.getOutput());
        assertTrue(created.getOutput().contains("Tags: 1.0-1, latest"), created.getOutput());
        assertEquals("POST {\"buildId\":\"b-new\"} Bearer " + TOKEN, requests.get(0));

        LaunchResult again = promote(launcher, "b-done", "--token", TOKEN, "--to", "localhost:5003");
        assertEquals(0, again.exitCode(), again.getErrorOutput());
        assertTrue(again.getOutput().contains("Build b-done already promoted: localhost:5003/hello@" + digest), again.getOutput());
        assertEquals("POST {\"buildId\":\"b-done\",\"to\":\"localhost:5003\"} Bearer " + TOKEN, requests.get(1));
    }

    @Test
    void aClosedGateListsTheUnsatisfiedRequirementsAndSuggestsAWaiver(QuarkusMainLauncher launcher) {
        LaunchResult r = promote(launcher, "b-closed", "--token", TOKEN);
        assertEquals(ExitCodes.REFUSED, r.exitCode());
        assertTrue(r.getErrorOutput().contains("Gate closed: build b-closed cannot be promoted"), r.getErrorOutput());
        assertTrue(r.getErrorOutput().contains("  test-case:smoke failed"), r.getErrorOutput());
        assertTrue(r.getErrorOutput().contains("kiln waive b-closed TESTCASE --comment TEXT"), r.getErrorOutput());
        assertEquals("", r.getOutput());
    }

    @Test
    void promoteMapsTheOtherAnswersToExitCodes(QuarkusMainLauncher launcher) {
        LaunchResult noToken = promote(launcher, "b-new");
        assertEquals(ExitCodes.NOT_AUTHORIZED, noToken.exitCode(), noToken.getErrorOutput());
        assertTrue(noToken.getErrorOutput().contains("Unauthorized"), noToken.getErrorOutput());
        LaunchResult unknown = promote(launcher, "b-nope", "--token", TOKEN);
        assertEquals(ExitCodes.REFUSED, unknown.exitCode());
        assertTrue(unknown.getErrorOutput().contains("Not Found: no build b-nope"), unknown.getErrorOutput());
        assertEquals(ExitCodes.REFUSED, promote(launcher, "b-new", "--token", TOKEN, "--to", "nowhere:1").exitCode());
        assertEquals(ExitCodes.REFUSED, promote(launcher, "b-scratch", "--token", TOKEN).exitCode());
        LaunchResult broken = promote(launcher, "b-broken", "--token", TOKEN);
        assertEquals(ExitCodes.SERVER_ERROR, broken.exitCode());
        assertTrue(broken.getErrorOutput().contains("the copy to localhost:5002 failed"), broken.getErrorOutput());

        LaunchResult down = launcher.launch("promote", "b-new", "--release-url", "http://localhost:1", "--token", TOKEN);
        assertEquals(ExitCodes.UNREACHABLE, down.exitCode(), down.getErrorOutput());
        assertEquals(ExitCodes.USAGE, launcher.launch("promote", "b-new", "--release-url", "nonsense").exitCode());
    }

    @Test
    void waiveSendsTheWaiver(QuarkusMainLauncher launcher) {
        LaunchResult r = launcher.launch("waive", "b-closed", "smoke", "--comment", "known flake", "--token", TOKEN,
                "--release-url", url(), "--config", dir.resolve("none.json").toString());
        assertEquals(0, r.exitCode(), r.getErrorOutput());
        assertEquals("Waived test case smoke of build b-closed (by rel)", r.getOutput().strip());
        assertEquals("POST {\"buildId\":\"b-closed\",\"testCase\":\"smoke\",\"comment\":\"known flake\"} Bearer " + TOKEN,
                requests.get(0));

        LaunchResult denied = launcher.launch("waive", "b-closed", "smoke", "--comment", "x", "--token", "kiln_other",
                "--release-url", url(), "--config", dir.resolve("none.json").toString());
        assertEquals(ExitCodes.NOT_AUTHORIZED, denied.exitCode());
        assertTrue(denied.getErrorOutput().contains("Forbidden: release engineers only"), denied.getErrorOutput());
        assertEquals(ExitCodes.USAGE, launcher.launch("waive", "b-closed", "smoke", "--release-url", url()).exitCode(),
                "--comment is required");
    }

    @Test
    void certsMakesACaAServerAndAClientCertificate(QuarkusMainLauncher launcher) throws Exception {
        Path ca = dir.resolve("ca");
        Path server = dir.resolve("server");
        Path client = dir.resolve("client");
        LaunchResult init = launcher.launch("certs", "init", "--dir", ca.toString());
        assertEquals(0, init.exitCode(), init.getErrorOutput());
        assertTrue(init.getOutput().startsWith("Created a CA in " + ca), init.getOutput());
        LaunchResult s = launcher.launch("certs", "server", "--ca", ca.toString(), "--out", server.toString(),
                "--dns", "localhost,dockerd.local", "--ip", "127.0.0.1", "--days", "30");
        assertEquals(0, s.exitCode(), s.getErrorOutput());
        LaunchResult c = launcher.launch("certs", "client", "--ca", ca.toString(), "--out", client.toString(), "--cn", "kiln-worker");
        assertEquals(0, c.exitCode(), c.getErrorOutput());
        assertTrue(c.getOutput().contains("CN=kiln-worker"), c.getOutput());

        for (Path f : List.of(ca.resolve("ca.pem"), ca.resolve("ca-key.pem"), server.resolve("cert.pem"), server.resolve("key.pem"),
                server.resolve("ca.pem"), client.resolve("cert.pem"), client.resolve("key.pem"))) {
            assertTrue(Files.isRegularFile(f), f + " exists");
        }
        for (Path key : List.of(ca.resolve("ca-key.pem"), server.resolve("key.pem"), client.resolve("key.pem"))) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)), key.toString());
        }
        var cert = CertificateAuthority.readCertificate(server.resolve("cert.pem"));
        assertTrue(cert.getSubjectAlternativeNames().stream().anyMatch(n -> n.get(1).equals("dockerd.local")));
        cert.verify(CertificateAuthority.readCertificate(ca.resolve("ca.pem")).getPublicKey());

        String before = Files.readString(client.resolve("cert.pem"));
        LaunchResult kept = launcher.launch("certs", "client", "--ca", ca.toString(), "--out", client.toString(), "--if-missing");
        assertEquals(0, kept.exitCode(), kept.getErrorOutput());
        assertTrue(kept.getOutput().startsWith("Kept the client certificate"), kept.getOutput());
        assertEquals(before, Files.readString(client.resolve("cert.pem")));
        assertTrue(launcher.launch("certs", "init", "--dir", ca.toString()).getOutput().startsWith("Kept the CA"));

        assertEquals(ExitCodes.USAGE, launcher.launch("certs", "server", "--ca", dir.resolve("nope").toString(),
                "--out", server.toString()).exitCode(), "no CA there");
        assertEquals(ExitCodes.USAGE, launcher.launch("certs", "client", "--out", client.toString()).exitCode(), "--ca missing");
    }
}
