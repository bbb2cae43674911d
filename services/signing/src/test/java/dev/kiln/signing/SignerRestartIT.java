package dev.kiln.signing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.events.EventType;
import dev.kiln.events.ImagePushed;
import dev.kiln.events.ImageSigned;
import dev.kiln.events.Nvr;
import dev.kiln.support.registry.RegistryClient;
import dev.kiln.testsupport.KafkaBroker;
import dev.kiln.testsupport.KafkaResource;
import dev.kiln.testsupport.KafkaTestClient;
import dev.kiln.testsupport.Postgres;
import dev.kiln.testsupport.RegistryProcess;
import dev.kiln.testsupport.TinyImage;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The signer keeps up: the packaged service (target/quarkus-app, built by {@code package}) is killed in the middle of a
 * batch of ten pushed images and started again; every image ends up signed exactly once in both formats, with an
 * image.signed event for each. Runs in the integration-test phase (maven-failsafe-plugin).
 */
class SignerRestartIT {
    static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");
    static final int IMAGES = 10;
    static final ObjectMapper JSON = new ObjectMapper();

    static RegistryProcess candidate;
    static String db;
    static Path work;
    static Path keyFile;

    @BeforeAll
    static void setUp() throws Exception {
        if (!Files.isRegularFile(JAR)) {
            throw new IllegalStateException(JAR.toAbsolutePath() + " is missing: run `./mvnw -pl services/signing verify` (package comes first)");
        }
        KafkaResource.broker();
        candidate = RegistryProcess.start("candidate-it");
        db = Postgres.createDatabase("kiln_signing_it");
        work = Files.createTempDirectory("kiln-signing-it-");
        keyFile = TestKeys.pkcs8(work.resolve("cosign.key"), SigningTestResource.generateKeyPair().getPrivate(), Optional.empty());
    }

    @AfterAll
    static void tearDown() {
        if (candidate != null) {
            candidate.close();
        }
        if (db != null) {
            Postgres.dropDatabase(db);
        }
    }

    @Test
    void killedInTheMiddleOfABatchAndRestartedEveryImageIsSignedExactlyOnce() throws Exception {
        RegistryClient registry = candidate.client();
        Map<String, String> digests = new HashMap<>(); // build id -> digest
        Map<String, String> repos = new HashMap<>();
        for (int i = 0; i < IMAGES; i++) {
            String repo = "batch-" + i + "-" + UUID.randomUUID().toString().substring(0, 6);
            String buildId = UUID.randomUUID().toString();
            digests.put(buildId, TinyImage.push(registry, repo, "1.0-" + i));
            repos.put(buildId, repo);
        }

        try (KafkaTestClient kafka = new KafkaTestClient(EventType.IMAGE_SIGNED)) {
            Process first = start(1);
            for (String buildId : digests.keySet()) {
                String repo = repos.get(buildId);
                kafka.send(new ImagePushed(buildId, repo, false, new Nvr(repo, "1.0", "1"), candidate.hostPort(), repo,
                        List.of("1.0-1"), digests.get(buildId), RegistryClient.DOCKER_MANIFEST, 1024, Instant.now()));
            }
            awaitCount("SELECT count(*) FROM signing.signatures WHERE format = 'cosign'", 3, Duration.ofSeconds(120));
            first.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            int signedBeforeKill = count("SELECT count(DISTINCT digest) FROM signing.signatures WHERE format = 'simple-signing'");
            assertTrue(signedBeforeKill < IMAGES, "the kill must land in the middle of the batch, but all " + IMAGES
                    + " images were already signed");

            Process second = start(2);
            try {
                Set<String> seen = new HashSet<>();
                while (seen.size() < IMAGES * 2) {
                    ImageSigned e = kafka.await(ImageSigned.class, x -> digests.containsKey(x.buildId()), Duration.ofMinutes(2));
                    assertEquals(digests.get(e.buildId()), e.digest());
                    seen.add(e.buildId() + "/" + e.format());
                }
            } finally {
                second.destroy();
                second.waitFor(30, TimeUnit.SECONDS);
            }
        }

        for (String buildId : digests.keySet()) {
            String repo = repos.get(buildId);
            String digest = digests.get(buildId);
            RegistryClient.Manifest sig = registry.getManifest(repo, digest.replace(':', '-') + ".sig").orElseThrow();
            assertEquals(1, JSON.readTree(sig.bytes()).path("layers").size(), "one cosign layer for " + repo);
            assertEquals(1, count("SELECT count(*) FROM signing.signatures WHERE digest = '" + digest + "' AND format = 'cosign'"));
            assertEquals(1, count("SELECT count(*) FROM signing.signatures WHERE digest = '" + digest + "' AND format = 'simple-signing'"));
        }
        assertEquals(1, count("SELECT count(*) FROM signing.openpgp_keys"), "the restart reuses the stored OpenPGP key");
    }

    private Process start(int run) throws IOException {
        int port = KafkaBroker.freePort();
        Path log = Path.of("target/it-logs/signing-" + run + ".log");
        Files.createDirectories(log.getParent());
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dmp.messaging.incoming.image-pushed.session.timeout.ms=6000",
                "-Dmp.messaging.incoming.image-pushed.heartbeat.interval.ms=1000",
                // both channels share the group: the dead instance's members must time out quickly for the rebalance
                "-Dmp.messaging.incoming.image-promoted.session.timeout.ms=6000",
                "-Dmp.messaging.incoming.image-promoted.heartbeat.interval.ms=1000",
                "-jar", JAR.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = pb.environment();
        env.put("QUARKUS_HTTP_PORT", String.valueOf(port));
        env.put("KAFKA_BOOTSTRAP_SERVERS", KafkaResource.broker().bootstrapServers());
        env.put("KILN_BUS_CERTS", KafkaResource.broker().certificates("signing").toString());
        env.put("QUARKUS_DATASOURCE_JDBC_URL", Postgres.jdbcUrl(db));
        env.put("QUARKUS_DATASOURCE_USERNAME", Postgres.user());
        env.put("QUARKUS_DATASOURCE_PASSWORD", Postgres.password());
        env.put("KILN_REGISTRY_CANDIDATE_ADDRESS", candidate.hostPort());
        env.put("KILN_REGISTRY_CANDIDATE_URL", candidate.url());
        env.put("KILN_REGISTRY_PRODUCTION_ADDRESS", "localhost:1");
        env.put("KILN_REGISTRY_PRODUCTION_URL", "http://localhost:1");
        env.put("KILN_SIGNING_KEY_FILE", keyFile.toString());
        env.put("KILN_SIGNING_THROTTLE_MILLIS", "300");
        env.put("QUARKUS_ANALYTICS_DISABLED", "true");
        Process p = pb.start();
        awaitReady(p, port, log);
        return p;
    }

    private static void awaitReady(Process p, int port, Path log) throws IOException {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new AssertionError("the signing service exited: " + Files.readString(log));
            }
            try {
                if (http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/q/health/ready")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            sleep(200);
        }
        throw new AssertionError("the signing service was not ready within 2 minutes: " + Files.readString(log));
    }

    private static void awaitCount(String sql, int atLeast, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (count(sql) < atLeast) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("fewer than " + atLeast + " rows for " + sql + " within " + timeout);
            }
            sleep(50);
        }
    }

    private static int count(String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(Postgres.jdbcUrl(db), Postgres.user(), Postgres.password());
                PreparedStatement st = c.prepareStatement(sql)) {
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        } catch (java.sql.SQLException e) {
            if ("42P01".equals(e.getSQLState())) { // the schema is not migrated yet
                return 0;
            }
            throw e;
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
