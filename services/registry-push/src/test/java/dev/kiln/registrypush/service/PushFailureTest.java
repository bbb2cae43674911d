package dev.kiln.registrypush.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.DockerClient;
import dev.kiln.events.BuildCompleted;
import dev.kiln.events.BuildFailed;
import dev.kiln.events.ImagePushed;
import dev.kiln.events.KilnEvent;
import dev.kiln.events.Nvr;
import dev.kiln.events.Stage;
import dev.kiln.registrypush.BaseImage;
import dev.kiln.registrypush.config.RegistryPushConfig;
import dev.kiln.support.messaging.FailureKind;
import dev.kiln.support.messaging.RetryPolicy;
import dev.kiln.support.messaging.TransientFailure;
import dev.kiln.support.registry.RegistryClient;
import dev.kiln.support.registry.RegistryException;
import dev.kiln.testsupport.FaultInjectingProxy;
import dev.kiln.testsupport.KafkaBroker;
import dev.kiln.testsupport.RegistryProcess;
import dev.kiln.testsupport.TestDocker;
import dev.kiln.testsupport.TokenIssuer;
import java.net.URI;
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
    private static final ObjectMapper JSON = new ObjectMapper();
    private static DockerClient docker;
    private static String baseImageId;

    @BeforeAll
    static void daemon() {
        docker = TestDocker.client();
        baseImageId = docker.inspectImageCmd(BaseImage.ensure(docker)).exec().getId();
    }

    @AfterAll
    static void close() throws Exception {
        docker.close();
    }

    @Test
    void anUnreachableRegistryIsRetriedThenLeftToTheConsumerTemplate() throws Exception {
        int closedPort = KafkaBroker.freePort();
        PushService service = service("localhost:" + closedPort, "http://localhost:" + closedPort, 2);
        TransientFailure away = assertThrows(TransientFailure.class, () -> service.push(completed(baseImageId)));
        assertTrue(away.getMessage().contains("registry-unavailable after 3 attempt(s)"), away.getMessage());
        assertTrue(FailureKind.isTransient(away), "the template retries it; no build.failed");
    }

    @Test
    void aRegistryWithBasicAuthRefusesAnonymousAndWrongCredentialsAndTakesTheRightOnes() throws Exception {
        String password = "s3cret-" + UUID.randomUUID();
        try (RegistryProcess registry = RegistryProcess.startWithBasicAuth("auth", "kiln", password)) {
            BuildFailed anonymous = (BuildFailed) service(registry.hostPort(), registry.url(), 2, null, null)
                    .push(completed(baseImageId));
            assertEquals("registry-auth-failed", anonymous.reason());
            assertFalse(anonymous.transientFailure());
            assertTrue(anonymous.message().contains("kiln.registry.candidate.username"), anonymous.message());

            BuildFailed wrong = (BuildFailed) service(registry.hostPort(), registry.url(), 2, "kiln", "wrong")
                    .push(completed(baseImageId));
            assertEquals("registry-auth-failed", wrong.reason());
            assertFalse(wrong.transientFailure());
            assertFalse(registry.log().contains("\"PUT /v2/base/manifests/"), "nothing was tagged without credentials");

            KilnEvent result = service(registry.hostPort(), registry.url(), 2, "kiln", password).push(completed(baseImageId));
            ImagePushed pushed = assertInstanceOf(ImagePushed.class, result, () -> result.toString());
            RegistryClient client = new RegistryClient(registry.hostPort(), URI.create(registry.url()), Optional.of("kiln"),
                    Optional.of(password));
            assertEquals(pushed.digest(), client.getManifest("base", "1-1").orElseThrow().digest());
            // and the registry really demands them
            RegistryException refused = assertThrows(RegistryException.class,
                    () -> registry.client().getManifest("base", "1-1"));
            assertEquals(401, refused.status());
        }
    }

    @Test
    void aRegistryWithTokenAuthGetsTheTokenFlowWithCredentialsAndRefusesAnonymousPushes() throws Exception {
        String password = "t0ken-" + UUID.randomUUID();
        try (TokenIssuer issuer = TokenIssuer.start(Map.of("kiln", password));
                RegistryProcess registry = RegistryProcess.startWithTokenAuth("token-auth", issuer)) {
            // the registry itself wants a bearer token: a plain anonymous request is challenged
            java.net.http.HttpResponse<String> challenged = java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(URI.create(registry.url() + "/v2/base/tags/list")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertEquals(401, challenged.statusCode());
            assertTrue(challenged.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer realm="),
                    challenged.headers().map().toString());

            BuildFailed anonymous = (BuildFailed) service(registry.hostPort(), registry.url(), 1, null, null)
                    .push(completed(baseImageId));
            assertEquals("registry-auth-failed", anonymous.reason(), anonymous.message());
            assertFalse(anonymous.transientFailure());
            BuildFailed wrong = (BuildFailed) service(registry.hostPort(), registry.url(), 1, "kiln", "wrong")
                    .push(completed(baseImageId));
            assertEquals("registry-auth-failed", wrong.reason(), wrong.message());
            assertTrue(wrong.message().contains("token service"), wrong.message());

            int before = issuer.issued();
            KilnEvent result = service(registry.hostPort(), registry.url(), 1, "kiln", password).push(completed(baseImageId));
            ImagePushed pushed = assertInstanceOf(ImagePushed.class, result, () -> result.toString());
            assertTrue(issuer.issued() > before, "tokens were asked for");
            // anonymous pulls are allowed by this issuer: the pushed manifest is there, under the pushed digest
            RegistryClient reader = registry.client();
            assertEquals(pushed.digest(), reader.getManifest("base", "1-1").orElseThrow().digest());
            assertTrue(reader.manifestExists("base", pushed.digest()));
        }
    }

    @Test
    void registry5xxIsRetriedWithBackoffAndThenSucceeds() throws Exception {
        try (RegistryProcess registry = RegistryProcess.start("flaky");
                FaultInjectingProxy proxy = new FaultInjectingProxy(registry.url(),
                        (method, path) -> method.equals("PUT") && path.contains("/manifests/"), 1)) {
            KilnEvent result = service(proxy.hostPort(), proxy.url(), 2, null, null).push(completed(baseImageId));
            ImagePushed pushed = assertInstanceOf(ImagePushed.class, result, () -> result.toString());
            assertEquals(1, proxy.injected(), "the first manifest PUT got a 503");
            assertEquals(pushed.digest(), registry.client()
                    .getManifest("base", "1-1").orElseThrow().digest());
        }
    }

    @Test
    void registry5xxThatStaysIsRetriedByTheTemplateAndTheBuildGoesOnOnceItIsBack() throws Exception {
        try (RegistryProcess registry = RegistryProcess.start("broken");
                FaultInjectingProxy proxy = new FaultInjectingProxy(registry.url(),
                        (method, path) -> path.contains("/blobs/") || path.contains("/manifests/"), Integer.MAX_VALUE)) {
            PushService service = service(proxy.hostPort(), proxy.url(), 2, null, null);
            BuildCompleted event = completed(baseImageId);
            TransientFailure away = assertThrows(TransientFailure.class, () -> service.push(event));
            assertTrue(away.getMessage().contains("registry-unavailable after 3 attempt(s)"), away.getMessage());
            assertTrue(proxy.injected() >= 3, "every attempt reached the registry: " + proxy.injected());
            proxy.heal();
            // what the consumer template does next: the same event again, once the registry answers
            ImagePushed pushed = assertInstanceOf(ImagePushed.class, service.push(event));
            assertEquals(pushed.digest(), registry.client()
                    .getManifest("base", "1-1").orElseThrow().digest());
        }
    }

    @Test
    void aRedeliveredEventWhoseImageIsInTheRegistryAlreadyNeedsNoDaemon() throws Exception {
        try (RegistryProcess registry = RegistryProcess.start("redelivered")) {
            PushService service = service(registry.hostPort(), registry.url(), 1, null, null, true);
            BuildCompleted event = completed(baseImageId);
            ImagePushed first = assertInstanceOf(ImagePushed.class, service.push(event));
            // the same event again, after the build's tag (and with it the image) left the daemon: here the daemon
            // cannot even be reached
            BuildCompleted again = new BuildCompleted(event.buildId(), event.component(), false, event.imageId(),
                    "tcp://127.0.0.1:" + KafkaBroker.freePort(), event.nvr(), null, null, Map.of(), 0, List.of(),
                    List.of(), null, Instant.now());
            ImagePushed second = assertInstanceOf(ImagePushed.class, service.push(again));
            assertEquals(first.digest(), second.digest(), "the image already shipped is announced again");
            assertEquals(first.tags(), second.tags());
        }
    }

    @Test
    void aBuilderDaemonAwayLongerThanTheDaemonWaitEndsTheBuild() throws Exception {
        try (RegistryProcess registry = RegistryProcess.start("no-daemon")) {
            int closedPort = KafkaBroker.freePort();
            BuildCompleted event = new BuildCompleted(UUID.randomUUID().toString(), "base", false, baseImageId,
                    "tcp://127.0.0.1:" + closedPort, new Nvr("base", "1", "1"), null, null, Map.of(), 0, List.of(),
                    List.of(), null, Instant.now());
            PushService service = service(registry.hostPort(), registry.url(), 1, null, null, true);
            // first tried just now: the template tries it again
            TransientFailure away = assertThrows(TransientFailure.class, () -> service.push(event, Instant.now()));
            assertTrue(away.getMessage().contains("docker-unavailable"), away.getMessage());
            // first tried 16 minutes ago, with kiln.messaging.retry.give-up-after 15 minutes: the build ends
            BuildFailed failed = assertInstanceOf(BuildFailed.class,
                    service.push(event, Instant.now().minus(Duration.ofMinutes(16))));
            assertEquals("docker-unavailable", failed.reason());
            assertTrue(failed.transientFailure());
            assertTrue(failed.message().contains("could not be reached for 15 minute(s)"), failed.message());
            assertTrue(failed.message().contains("build it again"), failed.message());
        }
    }

    @Test
    void aRegistryThatDoesNotAnswerTimesOutAndIsReportedAsTransient() throws Exception {
        // a listening socket that never answers; the registry timeout shortened for the test
        List<java.net.Socket> held = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (java.net.ServerSocket silent = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        held.add(silent.accept());
                    }
                } catch (java.io.IOException closed) {
                    // test over
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            String hostPort = "localhost:" + silent.getLocalPort();
            PushService service = service(hostPort, "http://" + hostPort, 1, null, null,
                    TestDocker.certPath().isEmpty(), Duration.ofMillis(500));
            TransientFailure away = assertThrows(TransientFailure.class, () -> service.push(completed(baseImageId)));
            assertTrue(away.getMessage().contains("registry-unavailable after 2 attempt(s)"), away.getMessage());
            assertTrue(away.getMessage().toLowerCase(java.util.Locale.ROOT).contains("timed out"), away.getMessage());
        } finally {
            for (java.net.Socket s : held) {
                s.close();
            }
        }
    }

    @Test
    void aTransientFailureOfTheSbomAttachmentIsRetriedAndTheSbomIsThen() throws Exception {
        try (RegistryProcess registry = RegistryProcess.start("sbom-flaky");
                FaultInjectingProxy proxy = new FaultInjectingProxy(registry.url(), PushFailureTest::sbomManifestPut, 1)) {
            KilnEvent result = service(proxy.hostPort(), proxy.url(), 2, null, null).push(completed(baseImageId));
            ImagePushed pushed = assertInstanceOf(ImagePushed.class, result, () -> result.toString());
            assertEquals(1, proxy.injected(), "the first PUT of the .sbom manifest got a 503");
            RegistryClient client = registry.client();
            byte[] sbom = client.getManifest("base", pushed.digest().replace(':', '-') + ".sbom").orElseThrow().bytes();
            JsonNode layer = JSON.readTree(sbom).path("layers").get(0);
            assertEquals("application/vnd.cyclonedx+json", layer.path("mediaType").asText());
            assertEquals("CycloneDX", JSON.readTree(client.getBlob("base", layer.path("digest").asText()))
                    .path("bomFormat").asText());
        }
    }

    @Test
    void anSbomAttachmentThatKeepsFailingIsLeftToTheTemplate() throws Exception {
        try (RegistryProcess registry = RegistryProcess.start("sbom-broken");
                FaultInjectingProxy proxy = new FaultInjectingProxy(registry.url(), PushFailureTest::sbomManifestPut,
                        Integer.MAX_VALUE)) {
            PushService service = service(proxy.hostPort(), proxy.url(), 2, null, null);
            TransientFailure away = assertThrows(TransientFailure.class, () -> service.push(completed(baseImageId)));
            assertTrue(away.getMessage().contains("sbom-attach-failed after 3 attempt(s)"), away.getMessage());
            assertEquals(3, proxy.injected(), "the attachment alone was retried");
            RegistryClient client = registry.client();
            assertTrue(client.manifestExists("base", "1-1"), "the image itself was pushed");
            assertEquals(List.of("1-1"), client.tags("base"), "no .sbom tag");
        }
    }

    @Test
    void anSbomTheRegistryRefusesFailsThePushStageWithoutRetrying() throws Exception {
        try (RegistryProcess registry = RegistryProcess.start("sbom-refused");
                FaultInjectingProxy proxy = new FaultInjectingProxy(registry.url(), PushFailureTest::sbomManifestPut,
                        Integer.MAX_VALUE, 400)) {
            BuildFailed failed = (BuildFailed) service(proxy.hostPort(), proxy.url(), 2, null, null).push(completed(baseImageId));
            assertEquals("sbom-attach-failed", failed.reason());
            assertFalse(failed.transientFailure());
            assertEquals(1, proxy.injected(), "a refusal is not retried");
            assertTrue(failed.message().contains("after 1 attempt(s)"), failed.message());
            assertTrue(failed.message().contains("ask an administrator"), failed.message());
            assertTrue(failed.message().contains("MANIFEST_INVALID"), failed.message());
        }
    }

    @Test
    void aBuilderDaemonReachedWithoutMutualTlsIsRefusedBeforeAnythingIsSent() throws Exception {
        try (RegistryProcess registry = RegistryProcess.start("no-tls")) {
            BuildCompleted event = new BuildCompleted(UUID.randomUUID().toString(), "base", false, baseImageId,
                    "unix:///var/run/docker.sock", new Nvr("base", "1", "1"), null, null, Map.of(), 0, List.of(),
                    List.of(), null, Instant.now());
            BuildFailed failed = (BuildFailed) service(registry.hostPort(), registry.url(), 2, null, null, false)
                    .push(event);
            assertEquals(Stage.PUSH, failed.stage());
            assertEquals("docker-tls-required", failed.reason());
            assertFalse(failed.transientFailure());
            assertTrue(failed.message().contains("kiln.docker.cert-path"), failed.message());
            RegistryClient client = registry.client();
            assertTrue(client.tags("base").isEmpty(), "nothing reached the registry");
        }
    }

    /** The PUT of the cosign-style SBOM manifest, {@code sha256-<hex>.sbom}. */
    private static boolean sbomManifestPut(String method, String path) {
        return method.equals("PUT") && path.contains("/manifests/sha256-") && path.endsWith(".sbom");
    }

    private static BuildCompleted completed(String imageId) {
        return new BuildCompleted(UUID.randomUUID().toString(), "base", false, imageId, TestDocker.host(),
                new Nvr("base", "1", "1"), null, null, Map.of(), 0, List.of(), List.of(), null, Instant.now());
    }

    private static PushService service(String address, String url, int retries) throws Exception {
        return service(address, url, retries, null, null);
    }

    private static PushService service(String address, String url, int retries, String username, String password)
            throws Exception {
        return service(address, url, retries, username, password, TestDocker.certPath().isEmpty());
    }

    private static PushService service(String address, String url, int retries, String username, String password,
            boolean allowInsecureSocket) throws Exception {
        return service(address, url, retries, username, password, allowInsecureSocket, Duration.ofMinutes(1));
    }

    private static PushService service(String address, String url, int retries, String username, String password,
            boolean allowInsecureSocket, Duration timeout) throws Exception {
        String cache = Files.createTempDirectory("kiln-push-cache-").toString();
        RegistryPushConfig config = new RegistryPushConfig() {
            @Override
            public Docker docker() {
                return new Docker() {
                    @Override
                    public Optional<String> certPath() {
                        return TestDocker.certPath();
                    }

                    @Override
                    public boolean allowInsecureSocket() {
                        return allowInsecureSocket;
                    }
                };
            }

            @Override
            public Registry registry() {
                return () -> new Registry.Candidate() {
                    @Override
                    public String address() {
                        return address;
                    }

                    @Override
                    public java.net.URI url() {
                        return java.net.URI.create(url);
                    }

                    @Override
                    public Optional<String> caFile() {
                        return Optional.empty();
                    }

                    @Override
                    public Optional<String> username() {
                        return Optional.ofNullable(username);
                    }

                    @Override
                    public Optional<String> password() {
                        return Optional.ofNullable(password);
                    }
                };
            }

            @Override
            public Provenance provenance() {
                return new Provenance() {
                    @Override
                    public Optional<String> keyFile() {
                        return Optional.empty();
                    }

                    @Override
                    public String builderId() {
                        return dev.kiln.support.attest.Provenance.DEFAULT_BUILDER_ID;
                    }
                };
            }

            @Override
            public Push push() {
                return new Push() {
                    @Override
                    public Duration timeout() {
                        return timeout;
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
        service.policy = new RetryPolicy(Duration.ofMillis(20), Duration.ofMillis(40), 3, retries + 1);
        service.init();
        return service;
    }
}
