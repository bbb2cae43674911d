package dev.kiln.registrypush.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.dockerjava.api.DockerClient;
import dev.kiln.events.BuildCompleted;
import dev.kiln.events.BuildFailed;
import dev.kiln.events.KilnEvent;
import dev.kiln.events.Nvr;
import dev.kiln.events.Stage;
import dev.kiln.registrypush.config.RegistryPushConfig;
import dev.kiln.testsupport.KafkaBroker;
import dev.kiln.testsupport.RegistryProcess;
import dev.kiln.testsupport.TestDocker;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The failure paths of a push against the real daemon and real (or absent) registries, without Kafka. */
class PushFailureTest {
    private static DockerClient docker;
    private static String baseImageId;

    @BeforeAll
    static void daemon() {
        docker = TestDocker.client();
        baseImageId = docker.inspectImageCmd(TestDocker.ensureBaseImage(docker)).exec().getId();
    }

    @AfterAll
    static void close() throws Exception {
        docker.close();
    }

    @Test
    void anUnreachableRegistryIsRetriedThenReportedAsTransient() throws Exception {
        int closedPort = KafkaBroker.freePort();
        PushService service = service("localhost:" + closedPort, "http://localhost:" + closedPort, 2);
        BuildFailed failed = (BuildFailed) service.push(completed(baseImageId));
        assertEquals(Stage.PUSH, failed.stage());
        assertEquals("registry-unavailable", failed.reason());
        assertTrue(failed.transientFailure());
        assertTrue(failed.message().contains("after 3 attempt(s)"), failed.message());
    }

    @Test
    void aRegistryThatWantsCredentialsIsAnAuthFailure() throws Exception {
        try (RegistryProcess registry = RegistryProcess.start("auth",
                "kiln:$2y$05$LDhD0QnN2TnDRsoOi4sHaORrQH9XLyjcnnHTiwgnnWyg9JCvsmmr.\n")) {
            PushService service = service(registry.hostPort(), registry.url(), 2);
            KilnEvent result = service.push(completed(baseImageId));
            BuildFailed failed = (BuildFailed) result;
            assertEquals("registry-auth-failed", failed.reason());
            assertFalse(failed.transientFailure());
        }
    }

    private static BuildCompleted completed(String imageId) {
        return new BuildCompleted(UUID.randomUUID().toString(), "base", false, imageId, TestDocker.host(),
                new Nvr("base", "1", "1"), null, null, Map.of(), 0, List.of(), Instant.now());
    }

    private static PushService service(String address, String url, int retries) throws Exception {
        String cache = Files.createTempDirectory("kiln-push-cache-").toString();
        RegistryPushConfig config = new RegistryPushConfig() {
            @Override
            public Docker docker() {
                return TestDocker::certPath;
            }

            @Override
            public Registry registry() {
                return () -> new Registry.Candidate() {
                    @Override
                    public String address() {
                        return address;
                    }

                    @Override
                    public String url() {
                        return url;
                    }

                    @Override
                    public Optional<String> username() {
                        return Optional.empty();
                    }

                    @Override
                    public Optional<String> password() {
                        return Optional.empty();
                    }
                };
            }

            @Override
            public Push push() {
                return new Push() {
                    @Override
                    public int retries() {
                        return retries;
                    }

                    @Override
                    public Duration backoff() {
                        return Duration.ofMillis(20);
                    }

                    @Override
                    public Optional<String> cacheDir() {
                        return Optional.of(cache);
                    }
                };
            }
        };
        PushService service = new PushService();
        service.config = config;
        service.init();
        return service;
    }
}
