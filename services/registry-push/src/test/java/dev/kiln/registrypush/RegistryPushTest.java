package dev.kiln.registrypush;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.BuildImageResultCallback;
import com.github.dockerjava.api.exception.NotFoundException;
import dev.kiln.events.BuildCompleted;
import dev.kiln.events.BuildOptions;
import dev.kiln.events.BuildRun;
import dev.kiln.events.BuildFailed;
import dev.kiln.events.EventType;
import dev.kiln.events.ImagePushed;
import dev.kiln.events.Nvr;
import dev.kiln.events.Source;
import dev.kiln.events.Stage;
import dev.kiln.support.attest.Dsse;
import dev.kiln.support.docker.BuildImageTag;
import dev.kiln.support.docker.KilnLabels;
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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
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
    private static final List<String> PACKAGES = List.of("pkg:generic/busybox@1.36.1",
            "pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64");

    private static final String GIT_URL = "https://git.example/push-test.git";
    private static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";
    private static DockerClient docker;
    private static final List<String> LABELLED = new java.util.concurrent.CopyOnWriteArrayList<>();
    private static String imageId;

    @BeforeAll
    static void buildImage() throws Exception {
        docker = TestDocker.client();
        BaseImage.ensure(docker);
        Path context = Files.createTempDirectory("kiln-push-ctx-");
        Files.writeString(context.resolve("Dockerfile"), "FROM " + TestDocker.BASE_IMAGE + "\n"
                + "RUN echo " + UUID.randomUUID() + " > /stamp\n"
                + "ENV GREETING=hello ZED=last ALPHA=first\n"
                + "ONBUILD RUN echo child\n"
                + "STOPSIGNAL SIGINT\n"
                + "SHELL [\"/bin/sh\", \"-ec\"]\n"
                + "VOLUME /data\n"
                + "HEALTHCHECK --interval=5s CMD /bin/true\n"
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
            for (String tag : concat(TAG, LABELLED)) {
                try {
                    docker.removeImageCmd(tag).withForce(true).exec();
                } catch (NotFoundException e) {
                    // already gone
                }
            }
            docker.close();
        }
    }

    private static List<String> concat(String first, List<String> rest) {
        List<String> all = new java.util.ArrayList<>(List.of(first));
        all.addAll(rest);
        return all;
    }

    private static BuildCompleted completed(String buildId, boolean scratch, String image) {
        return new BuildCompleted(buildId, "push-test", scratch, image, TestDocker.host(),
                new Nvr("push-test", "1.0", scratch ? null : "7"), TestDocker.BASE_IMAGE, null,
                Map.of("name", "push-test"), 1234, PACKAGES, List.of(), new BuildRun(Source.git(GIT_URL, "main", COMMIT),
                        "Dockerfile", BuildOptions.DEFAULT, "push-test-worker", Instant.now().minusSeconds(3)), Instant.now());
    }

    @Test
    void pushesTheBuiltImageAndPushesAgainWithoutUploadingLayers() throws Exception {
        try (KafkaTestClient kafka = new KafkaTestClient(EventType.IMAGE_PUSHED, EventType.BUILD_FAILED)) {
            String buildId = UUID.randomUUID().toString();
            BuildCompleted event = completed(buildId, false, imageId);
            String buildTag = BuildImageTag.of(buildId);
            docker.tagImageCmd(imageId, buildTag.substring(0, buildTag.lastIndexOf(':')), "latest").exec();
            kafka.send(event);
            ImagePushed pushed = kafka.await(ImagePushed.class, e -> e.buildId().equals(buildId), WAIT);

            // daemon hygiene: the build's tag is gone once the image is in the registry; the image stays while
            // another tag holds it
            assertThrows(NotFoundException.class, () -> docker.inspectImageCmd(buildTag).exec());
            assertEquals(imageId, docker.inspectImageCmd(TAG).exec().getId());

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

            // the configuration is the built image's, byte for byte: its digest is the image id
            assertEquals(imageId, m.path("config").path("digest").asText());
            HttpResponse<byte[]> config = get("/v2/push-test/blobs/" + m.path("config").path("digest").asText());
            assertEquals(200, config.statusCode());
            assertEquals(imageId, RegistryClient.sha256(config.body()));
            JsonNode full = JSON.readTree(config.body()).path("config");
            assertEquals("[\"RUN echo child\"]", full.path("OnBuild").toString());
            assertEquals("SIGINT", full.path("StopSignal").asText());
            assertEquals("[\"/bin/sh\",\"-ec\"]", full.path("Shell").toString());
            assertTrue(full.path("Volumes").has("/data"), full.toString());
            assertEquals("[\"CMD-SHELL\",\"/bin/true\"]", full.path("Healthcheck").path("Test").toString());
            String env = full.path("Env").toString();
            assertTrue(env.indexOf("GREETING=hello") < env.indexOf("ZED=last")
                    && env.indexOf("ZED=last") < env.indexOf("ALPHA=first"), env);
            JsonNode cfg = JSON.readTree(config.body()).path("config");
            var built = docker.inspectImageCmd(imageId).exec().getConfig();
            assertEquals(List.of(built.getCmd()), List.of(JSON.convertValue(cfg.path("Cmd"), String[].class)));
            assertTrue(cfg.path("Env").toString().contains("GREETING=hello"), cfg.toString());
            assertEquals("push-test", cfg.path("Labels").path("name").asText());
            assertEquals(2, m.path("layers").size(), "base layer and the RUN layer");
            List<String> imageBlobs = List.of(m.path("config").path("digest").asText(),
                    m.path("layers").get(0).path("digest").asText(), m.path("layers").get(1).path("digest").asText());

            // the build's SBOM is attached as cosign attaches one: tag sha256-<hex>.sbom, one CycloneDX layer
            String sbomTag = pushed.digest().replace(':', '-') + ".sbom";
            HttpResponse<byte[]> sbomManifest = get("/v2/push-test/manifests/" + sbomTag);
            assertEquals(200, sbomManifest.statusCode());
            JsonNode sm = JSON.readTree(sbomManifest.body());
            assertEquals(RegistryClient.OCI_MANIFEST, sm.path("mediaType").asText());
            assertEquals("application/vnd.oci.image.config.v1+json", sm.path("config").path("mediaType").asText());
            assertEquals(1, sm.path("layers").size());
            JsonNode sbomLayer = sm.path("layers").get(0);
            assertEquals("application/vnd.cyclonedx+json", sbomLayer.path("mediaType").asText());
            HttpResponse<byte[]> sbomBlob = get("/v2/push-test/blobs/" + sbomLayer.path("digest").asText());
            assertEquals(200, sbomBlob.statusCode());
            JsonNode bom = JSON.readTree(sbomBlob.body());
            assertEquals("CycloneDX", bom.path("bomFormat").asText());
            assertEquals("1.5", bom.path("specVersion").asText());
            assertEquals(PACKAGES, bom.path("components").findValuesAsText("purl"));
            JsonNode image = bom.path("metadata").path("component");
            assertEquals("1.0-7", image.path("version").asText());
            assertEquals("pkg:oci/push-test@" + pushed.digest().replace(":", "%3A") + "?repository_url=" + registry
                    + "/push-test", image.path("purl").asText());
            assertEquals(buildId, property(bom, "dev.kiln:build-id"));
            String sbomDigest = RegistryClient.sha256(sbomManifest.body());

            // its SLSA provenance, attached as cosign attaches attestations: an in-toto Statement in a DSSE envelope
            // signed by the builder key, tag sha256-<hex>.att
            String attTag = pushed.digest().replace(':', '-') + ".att";
            HttpResponse<byte[]> attManifest = get("/v2/push-test/manifests/" + attTag);
            assertEquals(200, attManifest.statusCode());
            JsonNode am = JSON.readTree(attManifest.body());
            assertEquals(1, am.path("layers").size(), am.toString());
            JsonNode attLayer = am.path("layers").get(0);
            assertEquals("application/vnd.dsse.envelope.v1+json", attLayer.path("mediaType").asText());
            assertEquals("https://slsa.dev/provenance/v1", attLayer.path("annotations").path("predicateType").asText());
            JsonNode envelope = JSON.readTree(get("/v2/push-test/blobs/" + attLayer.path("digest").asText()).body());
            assertEquals("application/vnd.in-toto+json", envelope.path("payloadType").asText());
            byte[] statement = Base64.getDecoder().decode(envelope.path("payload").asText());
            JsonNode st = JSON.readTree(statement);
            assertEquals("https://in-toto.io/Statement/v1", st.path("_type").asText());
            assertEquals(registry + "/push-test", st.path("subject").get(0).path("name").asText());
            assertEquals(pushed.digest(), "sha256:" + st.path("subject").get(0).path("digest").path("sha256").asText());
            assertEquals("https://slsa.dev/provenance/v1", st.path("predicateType").asText());
            JsonNode definition = st.path("predicate").path("buildDefinition");
            assertEquals("https://kiln.dev/provenance/dockerfile-build/v1", definition.path("buildType").asText());
            assertEquals(GIT_URL, definition.path("externalParameters").path("source").path("url").asText());
            assertEquals("Dockerfile", definition.path("externalParameters").path("dockerfile").asText());
            assertEquals("none", definition.path("externalParameters").path("network").asText());
            assertEquals(COMMIT, definition.path("resolvedDependencies").get(0).path("digest").path("gitCommit").asText());
            JsonNode details = st.path("predicate").path("runDetails");
            assertEquals("https://kiln.dev/builders/container-build", details.path("builder").path("id").asText());
            assertEquals(buildId, details.path("metadata").path("invocationId").asText());
            assertEquals("urn:kiln:worker:push-test-worker",
                    details.path("builder").path("builderDependencies").get(0).path("uri").asText());
            assertEquals(TestDocker.host(), details.path("builder").path("builderDependencies").get(1).path("uri").asText());
            assertTrue(Instant.parse(details.path("metadata").path("startedOn").asText())
                    .isBefore(Instant.parse(details.path("metadata").path("finishedOn").asText())));
            assertEquals(imageId, "sha256:" + details.path("byproducts").get(0).path("digest").path("sha256").asText());
            // openssl agrees: the signature covers DSSE's pre-authentication encoding, under the builder key only
            String sig = envelope.path("signatures").get(0).path("sig").asText();
            assertEquals("Verified OK", opensslVerify(CandidateRegistryResource.builderPublicKeyPem(),
                    Dsse.pae("application/vnd.in-toto+json", statement), sig));
            byte[] tampered = new String(statement, StandardCharsets.UTF_8).replace(COMMIT, "f".repeat(40))
                    .getBytes(StandardCharsets.UTF_8);
            assertEquals("Verification failure", opensslVerify(CandidateRegistryResource.builderPublicKeyPem(),
                    Dsse.pae("application/vnd.in-toto+json", tampered), sig));
            String attDigest = RegistryClient.sha256(attManifest.body());

            // a redelivered build.completed pushes again: same digest, same SBOM, and no blob is uploaded
            int uploadsBefore = uploads();
            assertTrue(uploadsBefore >= 2, "the first push uploaded the layers:\n" + CandidateRegistryResource.registry().log());
            kafka.send(event);
            ImagePushed again = kafka.await(ImagePushed.class, e -> e.buildId().equals(buildId), WAIT);
            assertEquals(pushed.digest(), again.digest());
            assertEquals(uploadsBefore, uploads(), "no blob upload on the second push");
            assertEquals(sbomDigest, RegistryClient.sha256(get("/v2/push-test/manifests/" + sbomTag).body()),
                    "the redelivered event put the same .sbom manifest");
            assertEquals(attDigest, RegistryClient.sha256(get("/v2/push-test/manifests/" + attTag).body()),
                    "the redelivered event attached no second provenance");

            // a scratch build of the same image is tagged scratch-<build id>, again without sending an image blob;
            // one digest has one .sbom tag (cosign's convention), so it now holds the scratch build's SBOM
            String scratchId = UUID.randomUUID().toString();
            kafka.send(completed(scratchId, true, imageId));
            ImagePushed scratch = kafka.await(ImagePushed.class, e -> e.buildId().equals(scratchId), WAIT);
            assertEquals(List.of("scratch-" + scratchId), scratch.tags());
            assertTrue(scratch.scratch());
            assertEquals(pushed.digest(), scratch.digest());
            for (String blob : imageBlobs) {
                assertEquals(1, timesUploaded(blob), blob + " was uploaded once, by the first push:\n"
                        + CandidateRegistryResource.registry().log());
            }
            assertEquals(200, get("/v2/push-test/manifests/scratch-" + scratchId).statusCode());
            JsonNode scratchSbom = JSON.readTree(get("/v2/push-test/blobs/" + JSON.readTree(
                    get("/v2/push-test/manifests/" + sbomTag).body()).path("layers").get(0).path("digest").asText()).body());
            assertEquals(scratchId, property(scratchSbom, "dev.kiln:build-id"));
            assertEquals("1.0", scratchSbom.path("metadata").path("component").path("version").asText());
            // the same digest built by another build has that build's provenance too
            assertEquals(2, JSON.readTree(get("/v2/push-test/manifests/" + attTag).body()).path("layers").size());
        }
    }

    /** An image as container-build makes one for {@code buildId}: labelled with it. */
    private static String buildLabelled(String buildId) throws Exception {
        Path context = Files.createTempDirectory("kiln-push-ctx-");
        Files.writeString(context.resolve("Dockerfile"), "FROM " + TestDocker.BASE_IMAGE + "\n"
                + "RUN echo " + UUID.randomUUID() + " > /stamp\n"
                + "LABEL " + KilnLabels.BUILD_ID + "=" + buildId + "\n");
        String tag = TAG + "-" + UUID.randomUUID().toString().substring(0, 8);
        LABELLED.add(tag);
        String id = docker.buildImageCmd(context.toFile()).withTags(Set.of(tag))
                .withNetworkMode("none").withPull(false).withForcerm(true)
                .exec(new BuildImageResultCallback()).awaitImageId(2, TimeUnit.MINUTES);
        return docker.inspectImageCmd(id).exec().getId();
    }

    private static BuildCompleted completed(String buildId, String image, String release) {
        return new BuildCompleted(buildId, "push-test", false, image, TestDocker.host(),
                new Nvr("push-test", "1.0", release), TestDocker.BASE_IMAGE, null, Map.of("name", "push-test"), 1234,
                PACKAGES, List.of(), null, Instant.now());
    }

    @Test
    void aBuildBuiltTwiceShipsItsFirstImageAndAnotherBuildOfTheNvrReplacesIt() throws Exception {
        try (KafkaTestClient kafka = new KafkaTestClient(EventType.IMAGE_PUSHED, EventType.BUILD_FAILED)) {
            String release = "twice" + UUID.randomUUID().toString().substring(0, 8);
            String buildId = UUID.randomUUID().toString();
            String first = buildLabelled(buildId);
            String second = buildLabelled(buildId);
            assertNotEquals(first, second);
            kafka.send(completed(buildId, first, release));
            ImagePushed pushed = kafka.await(ImagePushed.class, e -> e.buildId().equals(buildId), WAIT);

            // a redelivered build.requested was built again: the tag keeps the first image, said again
            kafka.send(completed(buildId, second, release));
            ImagePushed again = kafka.await(ImagePushed.class,
                    e -> e.buildId().equals(buildId) && e.time().isAfter(pushed.time()), WAIT);
            assertEquals(pushed.digest(), again.digest());
            assertEquals(first, configOf("1.0-" + release));

            // a later build of the same NVR (the first one failed after its push) replaces the image
            String laterId = UUID.randomUUID().toString();
            String later = buildLabelled(laterId);
            kafka.send(completed(laterId, later, release));
            ImagePushed replaced = kafka.await(ImagePushed.class, e -> e.buildId().equals(laterId), WAIT);
            assertNotEquals(pushed.digest(), replaced.digest());
            assertEquals(later, configOf("1.0-" + release));
        }
    }

    private static String configOf(String tag) throws Exception {
        return JSON.readTree(get("/v2/push-test/manifests/" + tag).body()).path("config").path("digest").asText();
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

    /** How many uploads to push-test were completed with {@code digest}. */
    private static int timesUploaded(String digest) {
        String hex = digest.substring("sha256:".length());
        Matcher matcher = Pattern.compile("\"PUT /v2/push-test/blobs/uploads/[^\"]*digest=sha256(:|%3A)" + hex)
                .matcher(CandidateRegistryResource.registry().log());
        int n = 0;
        while (matcher.find()) {
            n++;
        }
        return n;
    }

    private static String property(JsonNode bom, String name) {
        for (JsonNode p : bom.path("metadata").path("properties")) {
            if (p.path("name").asText().equals(name)) {
                return p.path("value").asText();
            }
        }
        return null;
    }

    private static HttpResponse<byte[]> get(String path) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(CandidateRegistryResource.registry().url() + path))
                .header("Accept", RegistryClient.DOCKER_MANIFEST + ", " + RegistryClient.OCI_MANIFEST).GET().build();
        return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofByteArray());
    }

    /** What {@code openssl dgst -sha256 -verify} says of {@code base64Signature} over {@code data} under {@code publicKeyPem}. */
    private static String opensslVerify(String publicKeyPem, byte[] data, String base64Signature) throws Exception {
        Path dir = Files.createTempDirectory("kiln-openssl-");
        Path key = Files.writeString(dir.resolve("builder.pub"), publicKeyPem);
        Path body = Files.write(dir.resolve("pae.bin"), data);
        Path sig = Files.write(dir.resolve("sig.der"), Base64.getDecoder().decode(base64Signature));
        Process p = new ProcessBuilder("openssl", "dgst", "-sha256", "-verify", key.toString(), "-signature",
                sig.toString(), body.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        return out;
    }
}
