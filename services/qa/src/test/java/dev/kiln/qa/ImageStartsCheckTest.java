package dev.kiln.qa;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.BuildImageResultCallback;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.PushResponseItem;
import dev.kiln.events.EventType;
import dev.kiln.events.ImagePushed;
import dev.kiln.events.Nvr;
import dev.kiln.events.QaOutcome;
import dev.kiln.events.QaResult;
import dev.kiln.support.registry.RegistryClient;
import dev.kiln.testsupport.KafkaResource;
import dev.kiln.testsupport.RegistryProcess;
import dev.kiln.testsupport.TestDocker;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(KafkaResource.class)
@QuarkusTestResource(CandidateRegistryResource.class)
class ImageStartsCheckTest {
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final List<String> LOCAL_TAGS = new ArrayList<>();
    private static DockerClient docker;

    @BeforeAll
    static void daemon() {
        docker = TestDocker.client();
        TestDocker.ensureBaseImage(docker);
    }

    @AfterAll
    static void cleanUp() throws Exception {
        for (String tag : LOCAL_TAGS) {
            try {
                docker.removeImageCmd(tag).withForce(true).exec();
            } catch (NotFoundException e) {
                // gone already
            }
        }
        docker.close();
    }

    @Test
    void anImageThatExitsZeroPasses() throws Exception {
        ImagePushed image = publish("qa-test/ok", "[\"/bin/sh\", \"-c\", \"echo all good; exit 0\"]");
        try (KafkaTestClient kafka = new KafkaTestClient(EventType.QA_RESULT)) {
            kafka.send(image);
            QaResult running = kafka.await(QaResult.class, r -> r.buildId().equals(image.buildId()), WAIT);
            assertEquals(QaOutcome.RUNNING, running.outcome());
            assertEquals("kiln.image.starts", running.testCase());
            assertEquals("kiln-qa", running.reporter());
            assertEquals(image.digest(), running.subjectDigest());
            assertEquals(image.registry() + "/" + image.repository(), running.subjectRepository());
            QaResult done = kafka.await(QaResult.class, r -> r.buildId().equals(image.buildId()), WAIT);
            assertEquals(QaOutcome.PASSED, done.outcome(), done.summary());
            assertEquals("exited 0", done.summary());
        }
        assertNoTestContainerLeft();
    }

    @Test
    void anImageThatExitsFourFailsWithItsLogs() throws Exception {
        ImagePushed image = publish("qa-test/exit4", "[\"/bin/sh\", \"-c\", \"echo about to fail; exit 4\"]");
        try (KafkaTestClient kafka = new KafkaTestClient(EventType.QA_RESULT)) {
            kafka.send(image);
            assertEquals(QaOutcome.RUNNING, kafka.await(QaResult.class, r -> r.buildId().equals(image.buildId()), WAIT).outcome());
            QaResult done = kafka.await(QaResult.class, r -> r.buildId().equals(image.buildId()), WAIT);
            assertEquals(QaOutcome.FAILED, done.outcome());
            assertTrue(done.summary().startsWith("exited 4"), done.summary());
            assertTrue(done.summary().contains("about to fail"), done.summary());
        }
        assertNoTestContainerLeft();
    }

    @Test
    void anImageThatDoesNotExitInTimeFails() throws Exception {
        ImagePushed image = publish("qa-test/sleepy", "[\"/bin/sleep\", \"600\"]");
        try (KafkaTestClient kafka = new KafkaTestClient(EventType.QA_RESULT)) {
            kafka.send(image);
            assertEquals(QaOutcome.RUNNING, kafka.await(QaResult.class, r -> r.buildId().equals(image.buildId()), WAIT).outcome());
            QaResult done = kafka.await(QaResult.class, r -> r.buildId().equals(image.buildId()), WAIT);
            assertEquals(QaOutcome.FAILED, done.outcome());
            assertTrue(done.summary().startsWith("did not exit within 5s"), done.summary());
        }
        assertNoTestContainerLeft();
    }

    @Test
    void aDigestTheRegistryDoesNotHaveIsAnError() {
        RegistryProcess registry = CandidateRegistryResource.registry();
        ImagePushed image = new ImagePushed(UUID.randomUUID().toString(), "ghost", false, new Nvr("ghost", "1", "1"),
                registry.hostPort(), "qa-test/ghost", List.of("1-1"), "sha256:" + "0123456789abcdef".repeat(4),
                RegistryClient.DOCKER_MANIFEST, 1, Instant.now());
        try (KafkaTestClient kafka = new KafkaTestClient(EventType.QA_RESULT)) {
            kafka.send(image);
            assertEquals(QaOutcome.RUNNING, kafka.await(QaResult.class, r -> r.buildId().equals(image.buildId()), WAIT).outcome());
            QaResult done = kafka.await(QaResult.class, r -> r.buildId().equals(image.buildId()), WAIT);
            assertEquals(QaOutcome.ERROR, done.outcome());
            assertTrue(done.summary().contains("could not pull"), done.summary());
        }
    }

    @Test
    void aMalformedEventGoesToTheDeadLetterTopic() {
        String key = UUID.randomUUID().toString();
        try (KafkaTestClient kafka = new KafkaTestClient("kiln.image.pushed.dlq")) {
            kafka.sendRaw(EventType.IMAGE_PUSHED.topic(), key, "not json");
            assertEquals("not json", kafka.awaitRecord("kiln.image.pushed.dlq", key, WAIT).value());
        }
    }

    /** Builds a busybox image with {@code cmd}, pushes it to the test registry with docker-java, returns its event. */
    private static ImagePushed publish(String repository, String cmd) throws Exception {
        RegistryProcess registry = CandidateRegistryResource.registry();
        String name = registry.hostPort() + "/" + repository;
        String tag = "1.0-1";
        Path context = Files.createTempDirectory("kiln-qa-ctx-");
        Files.writeString(context.resolve("Dockerfile"), "FROM " + TestDocker.BASE_IMAGE + "\nCMD " + cmd + "\n");
        LOCAL_TAGS.add(name + ":" + tag);
        docker.buildImageCmd(context.toFile()).withTags(Set.of(name + ":" + tag)).withNetworkMode("none")
                .withPull(false).withForcerm(true).exec(new BuildImageResultCallback()).awaitImageId(2, TimeUnit.MINUTES);
        docker.pushImageCmd(name).withTag(tag).exec(new ResultCallback.Adapter<PushResponseItem>())
                .awaitCompletion(2, TimeUnit.MINUTES);
        RegistryClient client = RegistryClient.anonymous(registry.hostPort(), URI.create(registry.url()));
        RegistryClient.Manifest manifest = client.getManifest(repository, tag).orElseThrow();
        return new ImagePushed(UUID.randomUUID().toString(), "qa-test", false, new Nvr(repository.replace('/', '-'), "1.0", "1"),
                registry.hostPort(), repository, List.of(tag), manifest.digest(), manifest.mediaType(),
                manifest.bytes().length, Instant.now());
    }

    private static void assertNoTestContainerLeft() {
        List<Container> left = docker.listContainersCmd().withShowAll(true)
                .withLabelFilter(Map.of("dev.kiln.qa", "image-starts")).exec();
        assertEquals(List.of(), left.stream().map(Container::getId).toList());
    }
}
