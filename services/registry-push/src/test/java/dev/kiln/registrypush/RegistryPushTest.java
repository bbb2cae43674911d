package dev.kiln.registrypush;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.BuildImageResultCallback;
import com.github.dockerjava.api.exception.NotFoundException;
import dev.kiln.events.BuildCompleted;
import dev.kiln.events.BuildFailed;
import dev.kiln.events.EventType;
import dev.kiln.events.ImagePushed;
import dev.kiln.events.Nvr;
import dev.kiln.events.Stage;
import dev.kiln.support.registry.RegistryClient;
import dev.kiln.testsupport.KafkaResource;
import dev.kiln.testsupport.KafkaTestClient;
import dev.kiln.testsupport.TestDocker;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(KafkaResource.class)
@QuarkusTestResource(CandidateRegistryResource.class)
class RegistryPushTest {
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final String TAG = "kiln-test/registry-push:" + UUID.randomUUID().toString().substring(0, 8);
    private static final ObjectMapper JSON = new ObjectMapper();

    private static DockerClient docker;
    private static String imageId;

    @BeforeAll
    static void buildImage() throws Exception {
        docker = TestDocker.client();
        BaseImage.ensure(docker);
        Path context = Files.createTempDirectory("kiln-push-ctx-");
        Files.writeString(context.resolve("Dockerfile"), "FROM " + TestDocker.BASE_IMAGE + "\n"
                + "RUN echo " + UUID.randomUUID() + " > /stamp\n"
                + "ENV GREETING=hello\n"
                + "LABEL name=push-test version=1.0\n"
                + "CMD [\"/bin/cat\", \"/stamp\"]\n");
        imageId = docker.buildImageCmd(context.toFile())
                .withTags(Set.of(TAG))
                .withNetworkMode("none")
                .withPull(false)
                .withForcerm(true)
                .exec(new BuildImageResultCallback())
                .awaitImageId(2, TimeUnit.MINUTES);
        imageId = docker.inspectImageCmd(imageId).exec().getId();
    }

    @AfterAll
    static void removeImage() throws Exception {
        if (docker != null) {
            try {
                docker.removeImageCmd(TAG).withForce(true).exec();
            } catch (NotFoundException e) {
                // already gone
            }
            docker.close();
        }
    }

    private static BuildCompleted completed(String buildId, boolean scratch, String image) {
        return new BuildCompleted(buildId, "push-test", scratch, image, TestDocker.host(),
                new Nvr("push-test", "1.0", scratch ? null : "7"), TestDocker.BASE_IMAGE, null,
                Map.of("name", "push-test"), 1234, List.of(), List.of(), Instant.now());
    }

    @Test
    void pushesTheBuiltImageAndPushesAgainWithoutUploadingLayers() throws Exception {
        try (KafkaTestClient kafka = new KafkaTestClient(EventType.IMAGE_PUSHED, EventType.BUILD_FAILED)) {
            String buildId = UUID.randomUUID().toString();
            BuildCompleted event = completed(buildId, false, imageId);
            kafka.send(event);
            ImagePushed pushed = kafka.await(ImagePushed.class, e -> e.buildId().equals(buildId), WAIT);

            String registry = CandidateRegistryResource.registry().hostPort();
            assertEquals(registry, pushed.registry());
            assertEquals("push-test", pushed.repository());
            assertEquals(List.of("1.0-7"), pushed.tags());
            assertEquals(RegistryClient.DOCKER_MANIFEST, pushed.mediaType());
            assertEquals("push-test", pushed.component());
            assertFalse(pushed.scratch());

            // the manifest the registry serves by tag has exactly the announced digest
            HttpResponse<byte[]> manifest = get("/v2/push-test/manifests/1.0-7");
            assertEquals(200, manifest.statusCode());
            assertEquals(pushed.digest(), RegistryClient.sha256(manifest.body()));
            JsonNode m = JSON.readTree(manifest.body());
            long size = m.path("config").path("size").asLong();
            for (JsonNode layer : m.path("layers")) {
                size += layer.path("size").asLong();
            }
            assertEquals(size, pushed.sizeBytes());

            // the configuration is the built image's
            HttpResponse<byte[]> config = get("/v2/push-test/blobs/" + m.path("config").path("digest").asText());
            assertEquals(200, config.statusCode());
            JsonNode cfg = JSON.readTree(config.body()).path("config");
            var built = docker.inspectImageCmd(imageId).exec().getConfig();
            assertEquals(List.of(built.getCmd()), List.of(JSON.convertValue(cfg.path("Cmd"), String[].class)));
            assertTrue(cfg.path("Env").toString().contains("GREETING=hello"), cfg.toString());
            assertEquals("push-test", cfg.path("Labels").path("name").asText());
            assertEquals(2, m.path("layers").size(), "base layer and the RUN layer");

            // a redelivered build.completed pushes again: same digest, and no blob is uploaded
            int uploadsBefore = uploads();
            assertTrue(uploadsBefore >= 2, "the first push uploaded the layers:\n" + CandidateRegistryResource.registry().log());
            kafka.send(event);
            ImagePushed again = kafka.await(ImagePushed.class, e -> e.buildId().equals(buildId), WAIT);
            assertEquals(pushed.digest(), again.digest());
            assertEquals(uploadsBefore, uploads(), "no blob upload on the second push");

            // a scratch build of the same image is tagged scratch-<build id>, again without uploads
            String scratchId = UUID.randomUUID().toString();
            kafka.send(completed(scratchId, true, imageId));
            ImagePushed scratch = kafka.await(ImagePushed.class, e -> e.buildId().equals(scratchId), WAIT);
            assertEquals(List.of("scratch-" + scratchId), scratch.tags());
            assertTrue(scratch.scratch());
            assertEquals(pushed.digest(), scratch.digest());
            assertEquals(uploadsBefore, uploads());
            assertEquals(200, get("/v2/push-test/manifests/scratch-" + scratchId).statusCode());
        }
    }

    @Test
    void anImageThatIsNotInTheDaemonFailsThePushStage() {
        try (KafkaTestClient kafka = new KafkaTestClient(EventType.IMAGE_PUSHED, EventType.BUILD_FAILED)) {
            String buildId = UUID.randomUUID().toString();
            String missing = "sha256:" + "0123456789abcdef".repeat(4);
            kafka.send(completed(buildId, false, missing));
            BuildFailed failed = kafka.await(BuildFailed.class, e -> e.buildId().equals(buildId), WAIT);
            assertEquals(Stage.PUSH, failed.stage());
            assertEquals("image-missing", failed.reason());
            assertFalse(failed.transientFailure());
            assertTrue(failed.message().contains(missing), failed.message());
        }
    }

    @Test
    void aMalformedEventGoesToTheDeadLetterTopicAndTheServiceGoesOn() {
        String key = UUID.randomUUID().toString();
        try (KafkaTestClient kafka = new KafkaTestClient("kiln.build.completed.dlq", EventType.BUILD_FAILED.topic())) {
            kafka.sendRaw(EventType.BUILD_COMPLETED.topic(), key, "{\"buildId\": \"" + key + "\", \"imageId\": 42}");
            assertEquals("{\"buildId\": \"" + key + "\", \"imageId\": 42}",
                    kafka.awaitRecord("kiln.build.completed.dlq", key, WAIT).value());
            // still consuming
            String buildId = UUID.randomUUID().toString();
            kafka.send(completed(buildId, false, "sha256:" + "fedcba9876543210".repeat(4)));
            assertEquals("image-missing", kafka.await(BuildFailed.class, e -> e.buildId().equals(buildId), WAIT).reason());
        }
    }

    private static int uploads() {
        Matcher matcher = Pattern.compile("\"(POST|PUT|PATCH) /v2/push-test/blobs/uploads").matcher(CandidateRegistryResource.registry().log());
        int n = 0;
        while (matcher.find()) {
            n++;
        }
        return n;
    }

    private static HttpResponse<byte[]> get(String path) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(CandidateRegistryResource.registry().url() + path))
                .header("Accept", RegistryClient.DOCKER_MANIFEST + ", " + RegistryClient.OCI_MANIFEST).GET().build();
        return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofByteArray());
    }
}
