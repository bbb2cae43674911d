package dev.kiln.containerbuild.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.sun.net.httpserver.HttpServer;
import dev.kiln.events.BuildCompleted;
import dev.kiln.events.BuildFailed;
import dev.kiln.events.BuildOptions;
import dev.kiln.events.BuildRequested;
import dev.kiln.events.BuildStarted;
import dev.kiln.events.EventType;
import dev.kiln.events.Nvr;
import dev.kiln.events.Source;
import dev.kiln.testsupport.KafkaBroker;
import dev.kiln.testsupport.KafkaResource;
import dev.kiln.testsupport.KafkaTestClient;
import dev.kiln.testsupport.TestDocker;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;
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
    private static final String GROUP = "kiln-container-build";
    private static final String PACKAGED_WORKER = "packaged-worker-" + UUID.randomUUID().toString().substring(0, 8);

    private static Process packaged;
    private static HttpServer barrierServer;
    private static ExecutorService barrierThreads;
    private static final CountDownLatch barrier = new CountDownLatch(2);

    @BeforeAll
    static void startSecondWorker() throws Exception {
        Path jar = Path.of("target/quarkus-app/quarkus-run.jar");
        if (!Files.isRegularFile(jar)) {
            fail(jar.toAbsolutePath() + " is missing: this test runs after `package` (mvn verify)");
        }
        barrierThreads = Executors.newFixedThreadPool(4);
        barrierServer = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        barrierServer.setExecutor(barrierThreads);
        barrierServer.createContext("/barrier", exchange -> {
            barrier.countDown();
            boolean both;
            try {
                both = barrier.await(100, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                both = false;
            }
            byte[] body = (both ? "go\n" : "alone\n").getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        barrierServer.start();

        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                jar.toAbsolutePath().toString());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(Path.of("target/two-workers-packaged.log").toFile());
        Map<String, String> env = pb.environment();
        env.put("KAFKA_BOOTSTRAP_SERVERS", KafkaResource.broker().bootstrapServers());
        env.put("QUARKUS_HTTP_PORT", Integer.toString(KafkaBroker.freePort()));
        env.put("QUARKUS_ANALYTICS_DISABLED", "true");
        env.put("KILN_WORKER_ID", PACKAGED_WORKER);
        env.put("KILN_HUB_URL", "http://127.0.0.1:" + System.getProperty(ContextServerResource.PORT_PROPERTY));
        env.put("KILN_DOCKER_HOST", TestDocker.host());
        TestDocker.certPath().ifPresent(p -> env.put("KILN_DOCKER_CERT_PATH", p));
        env.put("KILN_DOCKER_ALLOW_INSECURE_SOCKET", Boolean.toString(TestDocker.certPath().isEmpty()));
        env.put("KILN_BUILD_ALLOWED_PARENT_REGISTRIES", System.getProperty(BuilderResource.REGISTRY_PROPERTY));
        env.put("KILN_BUILD_HOST_NETWORK_COMPONENTS", BuilderResource.HOST_NETWORK_COMPONENT);
        packaged = pb.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (packaged != null) {
            packaged.destroy();
            if (!packaged.waitFor(30, TimeUnit.SECONDS)) {
                packaged.destroyForcibly();
            }
        }
        if (barrierServer != null) {
            barrierServer.stop(0);
            barrierThreads.shutdownNow();
        }
    }

    @Test
    void twoWorkersBuildTwoBuildsAtOnce() throws Exception {
        List<List<TopicPartition>> owned = awaitTwoMembers();
        int partitions = owned.stream().mapToInt(List::size).sum();
        String port = Integer.toString(barrierServer.getAddress().getPort());
        String digest = putContext("FROM " + System.getProperty(BuilderResource.BASE_PROPERTY) + "\n"
                + "LABEL name=hello version=1.0\n"
                + "RUN wget -q -O /gate http://127.0.0.1:" + port + "/barrier && cat /gate && grep go /gate\n");
        BuildRequested a = request(idOnPartition(owned.get(0).get(0).partition(), partitions), digest);
        BuildRequested b = request(idOnPartition(owned.get(1).get(0).partition(), partitions), digest);

        try (KafkaTestClient kafka = new KafkaTestClient(EventType.BUILD_STARTED, EventType.BUILD_COMPLETED,
                EventType.BUILD_FAILED)) {
            kafka.send(a);
            kafka.send(b);
            BuildStarted startedA = kafka.await(BuildStarted.class, e -> e.buildId().equals(a.buildId()), WAIT);
            BuildStarted startedB = kafka.await(BuildStarted.class, e -> e.buildId().equals(b.buildId()), WAIT);
            BuildCompleted completedA = completed(kafka, a);
            BuildCompleted completedB = completed(kafka, b);

            assertNotEquals(startedA.workerId(), startedB.workerId(), "one build per worker");
            assertTrue(Set.of(startedA.workerId(), startedB.workerId()).contains(PACKAGED_WORKER),
                    "the packaged worker built one of them: " + startedA.workerId() + ", " + startedB.workerId());
            assertEquals(TestDocker.host(), startedA.dockerHost());
            // each build started before the other one completed: they ran at the same time
            assertTrue(startedA.time().isBefore(completedB.time()), startedA + " / " + completedB);
            assertTrue(startedB.time().isBefore(completedA.time()), startedB + " / " + completedA);
        }
    }

    private static BuildCompleted completed(KafkaTestClient kafka, BuildRequested r) {
        try {
            return kafka.await(BuildCompleted.class, e -> e.buildId().equals(r.buildId()), WAIT);
        } catch (AssertionError e) {
            BuildFailed failed = kafka.await(BuildFailed.class, f -> f.buildId().equals(r.buildId()), Duration.ofSeconds(1));
            return fail("build " + r.buildId() + " failed: " + failed);
        }
    }

    /** Waits until both workers are in the group, each owning partitions of kiln.build.requested. */
    private static List<List<TopicPartition>> awaitTwoMembers() throws Exception {
        Properties p = new Properties();
        p.put("bootstrap.servers", KafkaResource.broker().bootstrapServers());
        try (Admin admin = Admin.create(p)) {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (System.nanoTime() < deadline) {
                if (!packaged.isAlive()) {
                    fail("the packaged worker exited: " + Files.readString(Path.of("target/two-workers-packaged.log")));
                }
                ConsumerGroupDescription group = admin.describeConsumerGroups(List.of(GROUP)).all().get().get(GROUP);
                List<List<TopicPartition>> owned = new ArrayList<>();
                for (MemberDescription m : group.members()) {
                    List<TopicPartition> mine = m.assignment().topicPartitions().stream()
                            .filter(tp -> tp.topic().equals(EventType.BUILD_REQUESTED.topic())).toList();
                    if (!mine.isEmpty()) {
                        owned.add(mine);
                    }
                }
                if (owned.size() == 2) {
                    return owned;
                }
                Thread.sleep(200);
            }
            return fail("the two workers did not share " + EventType.BUILD_REQUESTED.topic() + " within " + WAIT);
        }
    }

    /** A build id that the default partitioner puts on {@code partition}. */
    private static String idOnPartition(int partition, int partitions) {
        while (true) {
            String id = "scale-" + UUID.randomUUID();
            if (Utils.toPositive(Utils.murmur2(id.getBytes(StandardCharsets.UTF_8))) % partitions == partition) {
                return id;
            }
        }
    }

    private static BuildRequested request(String id, String digest) {
        return new BuildRequested(id, BuilderResource.HOST_NETWORK_COMPONENT, Source.context(digest), "Dockerfile", false,
                "alice", new Nvr("hello", "1.0", "1"), new BuildOptions("host", 300), Instant.now());
    }

    private static String putContext(String dockerfile) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
            byte[] data = dockerfile.getBytes(StandardCharsets.UTF_8);
            TarArchiveEntry e = new TarArchiveEntry("Dockerfile");
            e.setSize(data.length);
            e.setMode(0644);
            tar.putArchiveEntry(e);
            tar.write(data);
            tar.closeArchiveEntry();
        }
        byte[] bytes = out.toByteArray();
        String digest = "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        Files.write(Path.of(System.getProperty(ContextServerResource.DIR_PROPERTY)).resolve(digest.replace(':', '_')), bytes);
        return digest;
    }
}
