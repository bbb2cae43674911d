package dev.kiln.containerbuild.messaging;

import static org.junit.jupiter.api.Assertions.fail;

import dev.kiln.testsupport.KafkaBroker;
import dev.kiln.testsupport.KafkaResource;
import dev.kiln.testsupport.TestDocker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * The packaged jar ({@code target/quarkus-app/quarkus-run.jar}, so only after {@code package}) started as one more
 * container-build worker next to the test's Quarkus instance: the same broker, daemon, parent registry and context
 * server, its own worker id and HTTP port, and this instance's consumer session timeout (the {@code %test} value, so
 * that the group notices a killed worker quickly). Its output goes to {@code target/<name>.log}.
 */
final class PackagedWorker implements AutoCloseable {
    private static final String SESSION_TIMEOUT = "mp.messaging.incoming.build-requested.session.timeout.ms";
    private static final String HEARTBEAT = "mp.messaging.incoming.build-requested.heartbeat.interval.ms";

    private final String workerId;
    private final Process process;
    private final Path log;

    private PackagedWorker(String workerId, Process process, Path log) {
        this.workerId = workerId;
        this.process = process;
        this.log = log;
    }

    /** Starts the jar as worker {@code <name>-<random>}; {@code env} adds or overrides environment variables. */
    static PackagedWorker start(String name, Map<String, String> env) throws IOException {
        Path jar = Path.of("target/quarkus-app/quarkus-run.jar");
        if (!Files.isRegularFile(jar)) {
            fail(jar.toAbsolutePath() + " is missing: tests that start the packaged worker run after `package` (mvn verify)");
        }
        String workerId = name + "-" + UUID.randomUUID().toString().substring(0, 8);
        Path log = Path.of("target/" + name + ".log");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", jar.toAbsolutePath().toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> e = pb.environment();
        e.put("KAFKA_BOOTSTRAP_SERVERS", KafkaResource.broker().bootstrapServers());
        e.put("QUARKUS_HTTP_PORT", Integer.toString(KafkaBroker.freePort()));
        e.put("QUARKUS_ANALYTICS_DISABLED", "true");
        e.put("KILN_WORKER_ID", workerId);
        e.put("KILN_HUB_URL", "http://127.0.0.1:" + System.getProperty(ContextServerResource.PORT_PROPERTY));
        e.put("KILN_DOCKER_HOST", TestDocker.host());
        TestDocker.certPath().ifPresent(p -> e.put("KILN_DOCKER_CERT_PATH", p));
        e.put("KILN_DOCKER_ALLOW_INSECURE_SOCKET", Boolean.toString(TestDocker.certPath().isEmpty()));
        e.put("KILN_BUILD_ALLOWED_PARENT_REGISTRIES", System.getProperty(BuilderResource.REGISTRY_PROPERTY));
        e.put("KILN_BUILD_HOST_NETWORK_COMPONENTS", BuilderResource.HOST_NETWORK_COMPONENT);
        e.put(envName(SESSION_TIMEOUT), ConfigProvider.getConfig().getValue(SESSION_TIMEOUT, String.class));
        e.put(envName(HEARTBEAT), ConfigProvider.getConfig().getValue(HEARTBEAT, String.class));
        e.putAll(env);
        return new PackagedWorker(workerId, pb.start(), log);
    }

    private static String envName(String property) {
        return property.toUpperCase(java.util.Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
    }

    String workerId() {
        return workerId;
    }

    /** Its consumer's client id in the group {@code kiln-container-build}. */
    String clientId() {
        return BuildGroup.clientId(workerId);
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Fails the test with the worker's output when it is no longer running. */
    void assertAlive() {
        if (!process.isAlive()) {
            fail("the packaged worker " + workerId + " exited: " + output());
        }
    }

    /** SIGKILL: the worker ends at once, without leaving the group, committing offsets or closing connections itself. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    /**
     * SIGTERM, as a rolling update, a scale-down or an eviction sends it: the worker shuts down the normal way. True
     * when it exited within {@code bound}.
     */
    boolean terminate(Duration bound) throws InterruptedException {
        process.destroy();
        return process.waitFor(bound.toMillis(), TimeUnit.MILLISECONDS);
    }

    String output() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no output in " + log + ": " + e.getMessage() + ")";
        }
    }

    /** Stops it the normal way (it leaves the group), forcibly after 30 s. */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor();
        }
    }
}
