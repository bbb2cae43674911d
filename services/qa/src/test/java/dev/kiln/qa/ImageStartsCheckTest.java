package dev.kiln.qa;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Container;
import dev.kiln.events.EventType;
import dev.kiln.events.ImagePushed;
import dev.kiln.events.Nvr;
import dev.kiln.events.QaOutcome;
import dev.kiln.events.QaResult;
import dev.kiln.support.registry.RegistryClient;
import dev.kiln.testsupport.FaultInjectingProxy;
import dev.kiln.testsupport.KafkaResource;
import dev.kiln.testsupport.KafkaTestClient;
import dev.kiln.testsupport.PostgresResource;
import dev.kiln.testsupport.RegistryProcess;
import dev.kiln.testsupport.TestDocker;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The built-in {@code kiln.image.starts} check through Kafka: exit 0, exit 4, a timeout, an unknown digest, poison. */
@QuarkusTest
@QuarkusTestResource(KafkaResource.class)
@QuarkusTestResource(PostgresResource.class)
@QuarkusTestResource(CandidateRegistryResource.class)
class ImageStartsCheckTest {
    static final Duration WAIT = Duration.ofSeconds(90);
    private static DockerClient docker;

    @BeforeAll
    static void daemon() {
        docker = TestDocker.client();
        TestDocker.ensureBaseImage(docker);
    }

    @AfterAll
    static void cleanUp() throws Exception {
        TestImages.removeLocalImages(docker);
        docker.close();
    }

    @Test
    void anImageThatExitsZeroPasses() throws Exception {
        ImagePushed image = publish("qa-test/ok", "[\"/bin/sh\", \"-c\", \"echo all good; exit 0\"]");
        try (KafkaTestClient kafka = new KafkaTestClient(EventType.QA_RESULT)) {
            kafka.send(TestImages.contextBuild(image.buildId(), image.component(), Map.of("Dockerfile", "FROM x\n")));
            kafka.send(image);
            QaResult queued = starts(kafka, image);
            assertEquals(QaOutcome.QUEUED, queued.outcome());
            QaResult running = starts(kafka, image);
            assertEquals(QaOutcome.RUNNING, running.outcome());
            assertEquals("kiln-qa", running.reporter());
            assertEquals(image.digest(), running.subjectDigest());
            assertEquals(image.registry() + "/" + image.repository(), running.subjectRepository());
            QaResult done = starts(kafka, image);
            assertEquals(QaOutcome.PASSED, done.outcome(), done.summary());
            assertEquals("exited 0", done.summary());
        }
        assertNoTestContainerLeft(docker);
    }

    @Test
    void anImageThatExitsFourFailsWithItsLogs() throws Exception {
        ImagePushed image = publish("qa-test/exit4", "[\"/bin/sh\", \"-c\", \"echo about to fail; exit 4\"]");
        try (KafkaTestClient kafka = new KafkaTestClient(EventType.QA_RESULT)) {
            kafka.send(TestImages.contextBuild(image.buildId(), image.component(), Map.of("Dockerfile", "FROM x\n")));
            kafka.send(image);
            QaResult done = finalStarts(kafka, image);
            assertEquals(QaOutcome.FAILED, done.outcome());
            assertTrue(done.summary().startsWith("exited 4"), done.summary());
            assertTrue(done.summary().contains("about to fail"), done.summary());
        }
        assertNoTestContainerLeft(docker);
    }

    @Test
    void anImageThatDoesNotExitInTimeFails() throws Exception {
        ImagePushed image = publish("qa-test/sleepy", "[\"/bin/sleep\", \"600\"]");
        try (KafkaTestClient kafka = new KafkaTestClient(EventType.QA_RESULT)) {
            kafka.send(TestImages.contextBuild(image.buildId(), image.component(), Map.of("Dockerfile", "FROM x\n")));
            kafka.send(image);
            QaResult done = finalStarts(kafka, image);
            assertEquals(QaOutcome.FAILED, done.outcome());
            assertTrue(done.summary().startsWith("did not exit within 5s"), done.summary());
        }
        assertNoTestContainerLeft(docker);
    }

    @Test
    void aDigestTheRegistryDoesNotHaveIsAnError() throws Exception {
        RegistryProcess registry = CandidateRegistryResource.registry();
        ImagePushed image = new ImagePushed(UUID.randomUUID().toString(), "ghost", false, new Nvr("ghost", "1", "1"),
                registry.hostPort(), "qa-test/ghost", List.of("1-1"), "sha256:" + "0123456789abcdef".repeat(4),
                RegistryClient.DOCKER_MANIFEST, 1, Instant.now());
        try (KafkaTestClient kafka = new KafkaTestClient(EventType.QA_RESULT)) {
            kafka.send(TestImages.contextBuild(image.buildId(), image.component(), Map.of("Dockerfile", "FROM x\n")));
            kafka.send(image);
            QaResult done = finalStarts(kafka, image);
            assertEquals(QaOutcome.ERROR, done.outcome());
            assertTrue(done.summary().contains("could not pull"), done.summary());
        }
    }

    @Test
    void aRegistryThatIsAwayDuringThePullIsWaitedForNotAnError() throws Exception {
        ImagePushed pushed = publish("qa-test/outage", "[\"/bin/true\"]");
        RegistryProcess registry = CandidateRegistryResource.registry();
        // the first three manifest requests get a 503: three pulls fail before one goes through
        try (FaultInjectingProxy proxy = new FaultInjectingProxy(registry.url(),
                (method, path) -> path.contains("/manifests/"), 3);
                KafkaTestClient kafka = new KafkaTestClient(EventType.QA_RESULT)) {
            // the same image, announced as living behind a registry that is away for a while
            ImagePushed image = new ImagePushed(pushed.buildId(), pushed.component(), pushed.scratch(), pushed.nvr(),
                    proxy.hostPort(), pushed.repository(), pushed.tags(), pushed.digest(), pushed.mediaType(),
                    pushed.sizeBytes(), pushed.time());
            kafka.send(TestImages.contextBuild(image.buildId(), image.component(), Map.of("Dockerfile", "FROM x\n")));
            kafka.send(image);
            QaResult done = finalStarts(kafka, image);
            assertEquals(3, proxy.injected(), "the pull met the outage");
            assertEquals(QaOutcome.PASSED, done.outcome(), done.summary());
        }
        assertNoTestContainerLeft(docker);
    }

    @Test
    void aMalformedEventGoesToTheDeadLetterTopic() {
        String key = UUID.randomUUID().toString();
        try (KafkaTestClient kafka = new KafkaTestClient("kiln.image.pushed.dlq")) {
            kafka.sendRaw(EventType.IMAGE_PUSHED.topic(), key, "not json");
            assertEquals("not json", kafka.awaitRecord("kiln.image.pushed.dlq", key, WAIT).value());
        }
    }

    private static QaResult starts(KafkaTestClient kafka, ImagePushed image) {
        return kafka.await(QaResult.class, r -> r.buildId().equals(image.buildId()) && r.testCase().equals("kiln.image.starts"), WAIT);
    }

    private static QaResult finalStarts(KafkaTestClient kafka, ImagePushed image) {
        return kafka.await(QaResult.class, r -> r.buildId().equals(image.buildId())
                && r.testCase().equals("kiln.image.starts") && r.outcome().isFinal(), WAIT);
    }

    private static ImagePushed publish(String repository, String cmd) throws Exception {
        return TestImages.publish(docker, "qa-test", repository, "FROM $BASE\nLABEL name=qa-test version=1.0\nCMD " + cmd + "\n",
                Map.of());
    }

    static void assertNoTestContainerLeft(DockerClient docker) {
        List<Container> left = docker.listContainersCmd().withShowAll(true)
                .withLabelFilter(Map.of("dev.kiln.qa", "image-starts")).exec();
        assertEquals(List.of(), left.stream().map(Container::getId).toList());
        List<Container> cst = docker.listContainersCmd().withShowAll(true)
                .withLabelFilter(Map.of("dev.kiln.qa", "structure-test")).exec();
        assertEquals(List.of(), cst.stream().map(Container::getId).toList());
    }
}
