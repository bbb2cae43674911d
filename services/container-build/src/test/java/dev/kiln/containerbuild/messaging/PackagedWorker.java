package dev.kiln.containerbuild.messaging;

import static org.junit.jupiter.api.Assertions.fail;

import dev.kiln.testsupport.KafkaBroker;
import dev.kiln.testsupport.KafkaResource;
import dev.kiln.testsupport.ServiceProcess;
import dev.kiln.testsupport.TestDocker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * The packaged jar ({@code target/quarkus-app/quarkus-run.jar}, so only after {@code package}) started as one more
 * container-build worker next to the test's Quarkus instance, as test-support's {@link ServiceProcess}: the same
 * broker, daemon, parent registry and context server, its own worker id and HTTP port, and this instance's consumer
 * session timeout (the {@code %test} value, so that the group notices a killed worker quickly). Its output goes to
 * {@code target/<name>.log}.
 */
final class PackagedWorker implements AutoCloseable {
    private static final String SESSION_TIMEOUT = "mp.messaging.incoming.build-requested.session.timeout.ms";
    private static final String HEARTBEAT = "mp.messaging.incoming.build-requested.heartbeat.interval.ms";

    private final String workerId;
    private final ServiceProcess process;

    private PackagedWorker(String workerId, ServiceProcess process) {
        this.workerId = workerId;
        this.process = process;
    }

    /** Starts the jar as worker {@code <name>-<random>}; {@code env} adds or overrides environment variables. */
    static PackagedWorker start(String name, Map<String, String> env) throws IOException {
        if (!Files.isRegularFile(Path.of("target/quarkus-app/quarkus-run.jar"))) {
            fail("target/quarkus-app/quarkus-run.jar is missing: tests that start the packaged worker run after "
                    + "`package` (mvn verify)");
        }
        String workerId = name + "-" + UUID.randomUUID().toString().substring(0, 8);
        Map<String, String> e = new HashMap<>();
        e.put("KAFKA_BOOTSTRAP_SERVERS", KafkaResource.broker().bootstrapServers());
        e.put("KILN_BUS_CERTS", KafkaResource.broker().certificates("container-build").toString());
        e.put("KILN_WORKER_ID", workerId);
        e.put("KILN_HUB_URL", "http://127.0.0.1:" + System.getProperty(ContextServerResource.PORT_PROPERTY));
        e.put("KILN_DOCKER_HOST", TestDocker.host());
        TestDocker.certPath().ifPresent(p -> e.put("KILN_DOCKER_CERT_PATH", p));
        e.put("KILN_DOCKER_ALLOW_INSECURE_SOCKET", Boolean.toString(TestDocker.certPath().isEmpty()));
        e.putAll(BuilderResource.registryEnv());
        e.put("KILN_BUILD_HOST_NETWORK_COMPONENTS", BuilderResource.HOST_NETWORK_COMPONENT);
        e.put(envName(SESSION_TIMEOUT), ConfigProvider.getConfig().getValue(SESSION_TIMEOUT, String.class));
        e.put(envName(HEARTBEAT), ConfigProvider.getConfig().getValue(HEARTBEAT, String.class));
        e.putAll(env);
        ServiceProcess process = ServiceProcess.start(ServiceProcess.repositoryRoot(), "container-build",
                KafkaBroker.freePort(), e, Path.of("target").toAbsolutePath(), name);
        return new PackagedWorker(workerId, process);
    }

    private static String envName(String property) {
        return property.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
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
    void kill() {
        process.kill();
    }

    /** SIGTERM; true when it exited within {@code bound}. */
    boolean terminate(Duration bound) throws InterruptedException {
        return process.terminate(bound);
    }

    String output() {
        return process.output();
    }

    /** Stops it the normal way (it leaves the group), forcibly after 20 s. */
    @Override
    public void close() {
        process.close();
    }
}
