package dev.kiln.containerbuild.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectImageResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import dev.kiln.containerbuild.inspect.RpmFixture;
import dev.kiln.events.BuildCancelRequested;
import dev.kiln.events.BuildCanceled;
import dev.kiln.events.BuildCompleted;
import dev.kiln.events.BuildFailed;
import dev.kiln.events.BuildLog;
import dev.kiln.events.BuildOptions;
import dev.kiln.events.BuildRequested;
import dev.kiln.events.BuildStarted;
import dev.kiln.events.EventCodec;
import dev.kiln.events.EventType;
import dev.kiln.events.ImageLayer;
import dev.kiln.events.KilnEvent;
import dev.kiln.events.Nvr;
import dev.kiln.events.Source;
import dev.kiln.events.Stage;
import dev.kiln.support.docker.BuildImageTag;
import dev.kiln.support.docker.KilnLabels;
import dev.kiln.support.messaging.broker.KafkaTopics;
import dev.kiln.testsupport.KafkaBroker;
import dev.kiln.testsupport.KafkaResource;
import dev.kiln.testsupport.KafkaTestClient;
import dev.kiln.testsupport.TestDocker;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The whole worker against the real broker and the real daemon: build.requested in (with CloudEvents headers),
 * started / log / completed / failed / canceled out. The test serves the build contexts itself.
 */
@QuarkusTest
@QuarkusTestResource(KafkaResource.class)
@QuarkusTestResource(ContextServerResource.class)
@QuarkusTestResource(BuilderResource.class)
class ContainerBuildTest {
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final List<String> OUTPUT_TOPICS = List.of(EventType.BUILD_STARTED.topic(), EventType.BUILD_LOG.topic(),
            EventType.BUILD_COMPLETED.topic(), EventType.BUILD_FAILED.topic(), EventType.BUILD_CANCELED.topic(),
            EventType.BUILD_REQUESTED.deadLetterTopic());

    private static DockerClient docker;
    private static KafkaTestClient kafka;
    private static String base;
    private static KafkaProducer<String, String> producer;
    private static KafkaConsumer<String, String> consumer;
    private static final Map<String, List<ConsumerRecord<String, String>>> seen = new ConcurrentHashMap<>();
    private static final List<String> builds = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void setUp() {
        docker = TestDocker.client();
        TestDocker.ensureBaseImage(docker);
        base = System.getProperty(BuilderResource.BASE_PROPERTY);
        kafka = new KafkaTestClient(EventType.BUILD_STARTED); // used to send; the records are collected below
        Map<String, Object> operator = KafkaResource.broker().clientProperties(KafkaBroker.ADMIN);
        Properties p = new Properties();
        p.putAll(operator);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        producer = new KafkaProducer<>(p);
        Properties c = new Properties();
        c.putAll(operator);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "container-build-test-" + UUID.randomUUID());
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        consumer = new KafkaConsumer<>(c);
        consumer.subscribe(OUTPUT_TOPICS);
    }

    @AfterAll
    static void tearDown() {
        if (docker == null) {
            return;
        }
        for (String id : builds) {
            try {
                docker.removeImageCmd(BuildImageTag.of(id)).withForce(true).exec();
            } catch (NotFoundException e) {
                // never built
            }
        }
        if (producer != null) {
            producer.close();
            consumer.close();
            kafka.close();
        }
    }

    @Test
    void buildsAnImageWithPinnedParentInjectedLabelsAndStreamsItsLog() throws Exception {
        String digest = putContext(Map.of("Dockerfile", "FROM " + base + "\n"
                + "RUN echo hi > /x\n"
                + "LABEL name=hello version=1.0\n"));
        BuildRequested request = request(digest, BuildOptions.DEFAULT);
        send(request);
        List<ConsumerRecord<String, String>> records = awaitOutcome(request.buildId());

        assertEquals(1, count(records, BuildStarted.class));
        BuildStarted started = first(records, BuildStarted.class);
        assertFalse(started.workerId().isBlank());
        assertEquals(TestDocker.host(), started.dockerHost());

        List<BuildLog> logs = all(records, BuildLog.class);
        assertFalse(logs.isEmpty(), "log batches expected");
        for (int i = 0; i < logs.size(); i++) {
            assertEquals(i, logs.get(i).sequence(), "log batches in order without gaps");
            assertTrue(logs.get(i).lines().size() <= 20);
        }
        String log = joined(records);
        assertTrue(log.contains("RUN echo hi > /x") && log.contains("Successfully built"), log);

        BuildCompleted completed = first(records, BuildCompleted.class);
        assertTrue(completed.imageId().startsWith("sha256:"));
        InspectImageResponse image = docker.inspectImageCmd(completed.imageId()).exec();
        assertEquals(completed.imageId(), image.getId());
        Map<String, String> labels = image.getConfig().getLabels();
        assertEquals("1", labels.get("release"));
        assertEquals(request.buildId(), labels.get(KilnLabels.BUILD_ID));
        assertEquals("hello", completed.labels().get("name"));
        assertEquals("1.0", completed.labels().get("version"));
        assertEquals("1", completed.labels().get("release"));
        assertEquals(new Nvr("hello", "1.0", "1"), completed.nvr());
        // how it ran, for its provenance: the request's source, Dockerfile and options, this worker, its start
        assertEquals(request.source(), completed.run().source());
        assertEquals(request.dockerfilePath(), completed.run().dockerfilePath());
        assertEquals(request.options(), completed.run().options());
        assertEquals(started.workerId(), completed.run().workerId());
        assertFalse(completed.run().startedAt().isAfter(started.time()), "the run started before build.started said so");
        assertTrue(completed.run().startedAt().isBefore(completed.time()));
        // the parent is pinned to the digest it has in its registry, and that is what was built
        assertEquals(base, completed.parentImage());
        String repository = base.substring(0, base.lastIndexOf(':'));
        List<String> repoDigests = docker.inspectImageCmd(base).exec().getRepoDigests();
        assertTrue(repoDigests.contains(repository + "@" + completed.parentDigest()),
                completed.parentDigest() + " not in " + repoDigests);
        assertTrue(log.contains("FROM " + repository + "@" + completed.parentDigest()), "the pinned FROM is built: " + log);
        assertEquals(completed.parentDigest(), labels.get(KilnLabels.PARENT_DIGEST));
        // injected labels
        assertEquals("hello", labels.get("org.opencontainers.image.title"));
        assertEquals("1.0-1", labels.get("org.opencontainers.image.version"));
        assertEquals(labels.get("build-date"), labels.get("org.opencontainers.image.created"));
        Instant.parse(labels.get("build-date"));
        assertEquals(digest, labels.get("dev.kiln.context-digest"));
        assertTrue(labels.get("org.opencontainers.image.source").endsWith("/api/v1/contexts/" + digest));
        assertEquals(completed.parentDigest(), labels.get("org.opencontainers.image.base.digest"));
        assertEquals("hello", completed.component());
        assertFalse(completed.scratch());
        assertEquals(TestDocker.host(), completed.dockerHost());
        assertTrue(completed.sizeBytes() > 0);
        assertEquals(List.of(), completed.contentManifest(), "busybox has no package database");
        assertTrue(log.contains(" layers, "), log);

        // a redelivered request is answered from the image already built, without building again
        send(request);
        records = await(request.buildId(), r -> count(r, BuildCompleted.class) == 2);
        assertEquals(1, count(records, BuildStarted.class), "no second build");
        assertEquals(completed.imageId(), all(records, BuildCompleted.class).get(1).imageId());
        assertEquals(completed.layers(), all(records, BuildCompleted.class).get(1).layers());
    }

    @Test
    void layersLineUpWithTheImageHistoryAndStayTheSameOnRedelivery() throws Exception {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("Dockerfile", bytes(dockerfile("""
                RUN true
                RUN mkdir /newdir
                WORKDIR /newdir
                WORKDIR /tmp
                COPY f.txt /f.txt
                ENV X=1
                RUN echo hi > /hi.txt
                """)));
        files.put("f.txt", bytes("hello\n"));
        BuildRequested request = request(putFiles(files), BuildOptions.DEFAULT);
        send(request);
        List<ConsumerRecord<String, String>> records = awaitOutcome(request.buildId());
        BuildCompleted completed = first(records, BuildCompleted.class);

        List<String> diffIds = docker.inspectImageCmd(completed.imageId()).exec().getRootFS().getLayers();
        assertEquals(diffIds, completed.layers().stream().map(ImageLayer::diffId).toList(), "bottom first");
        int b = docker.inspectImageCmd(base).exec().getRootFS().getLayers().size();
        assertEquals(b + 3, completed.layers().size(), "RUN true and the metadata steps make no layer: "
                + completed.layers());
        for (ImageLayer parent : completed.layers().subList(0, b)) {
            assertTrue(parent.sizeBytes() > 0, "busybox: " + parent);
        }
        // RUN mkdir made a layer of size 0, next to RUN true and WORKDIR, which have size 0 and made none
        assertEquals(new ImageLayer(diffIds.get(b), 0, "/bin/sh -c mkdir /newdir"), completed.layers().get(b));
        ImageLayer copy = completed.layers().get(b + 1);
        assertEquals(6, copy.sizeBytes());
        assertTrue(copy.createdBy().startsWith("/bin/sh -c #(nop) COPY file:") && copy.createdBy().endsWith(" in /f.txt"),
                copy.createdBy());
        assertEquals(new ImageLayer(diffIds.get(b + 2), 3, "/bin/sh -c echo hi > /hi.txt"), completed.layers().get(b + 2));
        String log = joined(records);
        assertTrue(log.contains("[kiln] layers: " + (b + 3) + " (sha256:"), log);
        assertTrue(log.contains(" 0 B RUN mkdir /newdir, sha256:") && log.contains(" 3 B RUN echo hi > /hi.txt)"), log);

        send(request);
        records = await(request.buildId(), r -> count(r, BuildCompleted.class) == 2);
        assertEquals(1, count(records, BuildStarted.class), "no second build");
        assertEquals(completed.layers(), all(records, BuildCompleted.class).get(1).layers());
    }

    @Test
    void buildContainersRunUnderTheCpuQuota() throws Exception {
        // a token of its own, so that the step is never taken from the build cache and really runs
        String digest = putContext(Map.of("Dockerfile", dockerfile("RUN echo " + UUID.randomUUID()
                + " && if test -e /sys/fs/cgroup/cpu.max; then echo \"cpu.max $(cat /sys/fs/cgroup/cpu.max)\";"
                + " else echo \"cfs_quota_us $(cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us)"
                + " cfs_period_us $(cat /sys/fs/cgroup/cpu/cpu.cfs_period_us)\"; fi\n")));
        BuildRequested request = request(digest, BuildOptions.DEFAULT);
        send(request);
        List<ConsumerRecord<String, String>> records = awaitOutcome(request.buildId());
        first(records, BuildCompleted.class);
        String log = joined(records);
        // kiln.build.cpus=1.5 (BuilderResource): cgroup v1 shows quota and period, cgroup v2 cpu.max "quota period"
        assertTrue(log.contains(", cpus 1.5 (cpu quota 150000/100000 µs), "), log);
        assertTrue(log.lines().map(String::strip).anyMatch(l -> l.equals("cfs_quota_us 150000 cfs_period_us 100000")
                || l.equals("cpu.max 150000 100000")), log);
    }

    @Test
    void rpmPackagesAreReadFromTheImagesSqliteDatabaseAndItsWriteAheadLog() throws Exception {
        Path dir = Files.createTempDirectory("kiln-rpm-test-");
        try {
            Path db = RpmFixture.withWal(dir);
            Map<String, byte[]> files = new LinkedHashMap<>();
            files.put("Dockerfile", bytes(dockerfile("""
                    ADD rpmdb.sqlite rpmdb.sqlite-wal /var/lib/rpm/
                    ADD os-release /etc/os-release
                    """)));
            files.put("rpmdb.sqlite", Files.readAllBytes(db));
            files.put("rpmdb.sqlite-wal", Files.readAllBytes(db.resolveSibling("rpmdb.sqlite-wal")));
            files.put("os-release", bytes("NAME=\"Fedora Linux\"\nVERSION_ID=40\nID=fedora\n"));
            BuildRequested request = request(putFiles(files), BuildOptions.DEFAULT);
            send(request);
            List<ConsumerRecord<String, String>> records = awaitOutcome(request.buildId());
            BuildCompleted completed = first(records, BuildCompleted.class);
            // kiln-late is only in the write-ahead log; gpg-pubkey is a key, not a package
            assertEquals(List.of("pkg:rpm/fedora/kiln-hello@1.2.3-4.fc40?arch=noarch&epoch=2",
                    "pkg:rpm/fedora/kiln-plain@0.1-1?arch=noarch",
                    "pkg:rpm/fedora/kiln-late@9.9-2.fc40?arch=noarch&epoch=1"), completed.contentManifest());
            assertTrue(joined(records).contains("[kiln] content manifest: 3 packages"), joined(records));
        } finally {
            deleteTree(dir);
        }
    }

    @Test
    void aBerkeleyDbRpmDatabaseIsNamedAndListsNothing() throws Exception {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("Dockerfile", bytes(dockerfile("ADD Packages /var/lib/rpm/Packages\n")));
        files.put("Packages", new byte[4096]);
        BuildRequested request = request(putFiles(files), BuildOptions.DEFAULT);
        send(request);
        List<ConsumerRecord<String, String>> records = awaitOutcome(request.buildId());
        assertEquals(List.of(), first(records, BuildCompleted.class).contentManifest());
        assertTrue(joined(records).contains("[kiln] content manifest: the rpm database /var/lib/rpm/Packages is in a"
                + " format Kiln does not read"), joined(records));
    }

    @Test
    void multiStageBuildWithArgBeforeFromIsPinnedStageByStage() throws Exception {
        String repository = base.substring(0, base.lastIndexOf(':'));
        String digest = putContext(Map.of("Dockerfile", """
                ARG BASE_REPO=%s
                ARG BASE_TAG=latest
                FROM ${BASE_REPO}:${BASE_TAG} AS build
                RUN echo built > /artifact \\
                    && echo second line >> /artifact
                FROM build AS test
                RUN grep built /artifact
                FROM $BASE_REPO:${BASE_TAG:-other}
                COPY --from=build /artifact /artifact
                LABEL name="hello" \\
                      version="1.0"
                """.formatted(repository)));
        BuildRequested request = request(digest, BuildOptions.DEFAULT);
        send(request);
        List<ConsumerRecord<String, String>> records = awaitOutcome(request.buildId());
        BuildCompleted completed = first(records, BuildCompleted.class);
        String log = joined(records);
        String pinned = repository + "@" + completed.parentDigest();
        assertEquals(repository + ":latest", completed.parentImage());
        // the daemon's own step lines show the Dockerfile it built: both images pinned, the stage reference kept
        assertTrue(log.contains(" : FROM " + pinned + " AS build\n"), log);
        assertTrue(log.contains(" : FROM build AS test\n"), log);
        assertEquals(2, log.split(" : FROM " + java.util.regex.Pattern.quote(pinned), -1).length - 1, log);
        assertFalse(log.contains(" : FROM $BASE_REPO") || log.contains(":latest AS build"), log);
        assertEquals("1.0", completed.labels().get("version"));
    }

    @Test
    void failingStepIsABuildFailureWithTheDaemonsMessage() throws Exception {
        String digest = putContext(Map.of("Dockerfile", dockerfile("RUN exit 3\n")));
        BuildRequested request = request(digest, BuildOptions.DEFAULT);
        send(request);
        List<ConsumerRecord<String, String>> records = awaitOutcome(request.buildId());
        BuildFailed failed = first(records, BuildFailed.class);
        assertEquals(Stage.BUILD, failed.stage());
        assertEquals("build-step-failed", failed.reason());
        assertTrue(failed.message().contains("returned a non-zero code: 3"), failed.message());
        assertTrue(failed.message().contains("fix the failing instruction in Dockerfile".substring(1)), failed.message());
        assertFalse(failed.transientFailure());
        assertEquals(1, count(records, BuildStarted.class));
    }

    @Test
    void buildsHaveNoNetworkUnlessTheirComponentMayUseHost() throws Exception {
        String port = System.getProperty(ContextServerResource.PORT_PROPERTY);
        // the test's own HTTP server listens on the host's loopback: reachable with network host only
        String digest = putContext(Map.of("Dockerfile", dockerfile(
                "RUN printf 'GET /ping HTTP/1.0\\r\\n\\r\\n' | nc -w 3 127.0.0.1 " + port + " > /page"
                + " && grep pong /page\n")));

        BuildRequested isolated = request(digest, BuildOptions.DEFAULT);
        send(isolated);
        BuildFailed failed = first(awaitOutcome(isolated.buildId()), BuildFailed.class);
        assertEquals("build-step-failed", failed.reason());
        assertTrue(failed.message().contains("non-zero code"), failed.message());
        String isolatedLog = joined(awaitOutcome(isolated.buildId()));
        assertTrue(isolatedLog.contains("can't connect"), isolatedLog);

        BuildRequested notAllowed = request(digest, new BuildOptions("host", 300));
        send(notAllowed);
        BuildFailed refused = first(awaitOutcome(notAllowed.buildId()), BuildFailed.class);
        assertEquals(Stage.PREFLIGHT, refused.stage());
        assertEquals("host-network-not-allowed", refused.reason());

        BuildRequested hostNetwork = request(BuilderResource.HOST_NETWORK_COMPONENT, digest, new BuildOptions("host", 300));
        send(hostNetwork);
        List<ConsumerRecord<String, String>> records = awaitOutcome(hostNetwork.buildId());
        first(records, BuildCompleted.class);
        assertTrue(joined(records).contains("pong"));
    }

    /** What was built is what ships: the context's modes, times and links reach the image as the maintainer made them. */
    @Test
    void contextModesTimesAndLinksReachTheImage() throws Exception {
        java.time.Instant mtime = java.time.Instant.parse("2021-05-06T07:08:09Z");
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (org.apache.commons.compress.archivers.tar.TarArchiveOutputStream tar =
                new org.apache.commons.compress.archivers.tar.TarArchiveOutputStream(bytes)) {
            entry(tar, "Dockerfile", 0100644, dockerfile("COPY ctx/ /ctx/\n"), mtime);
            entry(tar, "ctx/", 040755, null, mtime);
            entry(tar, "ctx/private/", 040750, null, mtime);
            entry(tar, "ctx/private/secret", 0100600, "s", mtime);
            entry(tar, "ctx/tool", 0104755, "#!/bin/sh\n", mtime);
            entry(tar, "ctx/run", 0100700, "#!/bin/sh\n", mtime);
            var link = new org.apache.commons.compress.archivers.tar.TarArchiveEntry("ctx/tool-link",
                    org.apache.commons.compress.archivers.tar.TarConstants.LF_SYMLINK);
            link.setLinkName("tool");
            link.setModTime(java.nio.file.attribute.FileTime.from(mtime));
            tar.putArchiveEntry(link);
            tar.closeArchiveEntry();
        }
        BuildRequested request = request(ContextServerResource.putArchive(bytes.toByteArray()), BuildOptions.DEFAULT);
        send(request);
        BuildCompleted completed = first(awaitOutcome(request.buildId()), BuildCompleted.class);
        String container = docker.createContainerCmd(completed.imageId()).withCmd("/kiln-never-started").exec().getId();
        Map<String, org.apache.commons.compress.archivers.tar.TarArchiveEntry> files = new LinkedHashMap<>();
        try (var in = new org.apache.commons.compress.archivers.tar.TarArchiveInputStream(
                docker.copyArchiveFromContainerCmd(container, "/ctx").exec())) {
            org.apache.commons.compress.archivers.tar.TarArchiveEntry e;
            while ((e = in.getNextEntry()) != null) {
                files.put(e.getName(), e);
            }
        } finally {
            docker.removeContainerCmd(container).withForce(true).exec();
        }
        assertEquals(0600, files.get("ctx/private/secret").getMode() & 07777, files.keySet().toString());
        assertEquals(0750, files.get("ctx/private/").getMode() & 07777);
        // the context carries 04755 to the daemon; the legacy builder's COPY then chowns the file to root, which clears
        // setuid, exactly as a plain `docker build` of the same context on this daemon does (checked: 0755 there too)
        assertEquals(0755, files.get("ctx/tool").getMode() & 07777);
        assertEquals(0700, files.get("ctx/run").getMode() & 07777);
        assertEquals(mtime, files.get("ctx/private/secret").getLastModifiedTime().toInstant());
        assertEquals(mtime, files.get("ctx/tool").getLastModifiedTime().toInstant());
        assertTrue(files.get("ctx/tool-link").isSymbolicLink());
        assertEquals("tool", files.get("ctx/tool-link").getLinkName());
    }

    private static void entry(org.apache.commons.compress.archivers.tar.TarArchiveOutputStream tar, String name,
            int mode, String text, java.time.Instant mtime) throws IOException {
        var e = new org.apache.commons.compress.archivers.tar.TarArchiveEntry(name);
        e.setMode(mode);
        e.setModTime(java.nio.file.attribute.FileTime.from(mtime));
        byte[] data = text == null ? new byte[0] : bytes(text);
        if (text != null) {
            e.setSize(data.length);
        }
        tar.putArchiveEntry(e);
        tar.write(data);
        tar.closeArchiveEntry();
    }

    @Test
    void preflightRefusals() throws Exception {
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("parent-registry-not-allowed", "FROM registry.example.com/base:1\nLABEL name=hello version=1.0\n");
        cases.put("add-url-without-network", dockerfile("ADD https://example.com/file.tgz /tmp/\n"));
        cases.put("release-mismatch", dockerfile("LABEL release=7\n"));
        cases.put("missing-labels", "FROM " + base + "\nLABEL name=hello\n");
        cases.put("nvr-mismatch", "FROM " + base + "\nLABEL name=other version=1.0\n");
        cases.put("dockerfile-invalid", "RUN echo no FROM\n");
        cases.put("buildkit-syntax-required", dockerfile("RUN <<EOF\necho from a heredoc\nEOF\n"));
        for (Map.Entry<String, String> c : cases.entrySet()) {
            BuildRequested request = request(putContext(Map.of("Dockerfile", c.getValue())), BuildOptions.DEFAULT);
            send(request);
            BuildFailed failed = first(awaitOutcome(request.buildId()), BuildFailed.class);
            assertEquals(Stage.PREFLIGHT, failed.stage(), failed.toString());
            assertEquals(c.getKey(), failed.reason(), failed.toString());
            assertFalse(failed.transientFailure());
        }
    }

    @Test
    void missingParentInAnAllowedRegistryIsUnavailable() throws Exception {
        String missing = System.getProperty(BuilderResource.REGISTRY_PROPERTY) + "/base/nothing:1";
        String digest = putContext(Map.of("Dockerfile", "FROM " + missing + "\nLABEL name=hello version=1.0\n"));
        BuildRequested request = request(digest, BuildOptions.DEFAULT);
        send(request);
        BuildFailed failed = first(awaitOutcome(request.buildId()), BuildFailed.class);
        assertEquals(Stage.PREFLIGHT, failed.stage());
        assertEquals("parent-image-unavailable", failed.reason());
        assertTrue(failed.message().contains(missing), failed.message());
        assertFalse(failed.transientFailure());
    }

    @Test
    void aParentTheBuildersMayNotReadIsUnavailableAndSaysSo() throws Exception {
        // every other build here pulls its parent with the builders' credentials; this registry knows them not
        String denied = System.getProperty(BuilderResource.PRIVATE_BASE_PROPERTY);
        String digest = putContext(Map.of("Dockerfile", "FROM " + denied + "\nLABEL name=hello version=1.0\n"));
        BuildRequested request = request(digest, BuildOptions.DEFAULT);
        send(request);
        BuildFailed failed = first(awaitOutcome(request.buildId()), BuildFailed.class);
        assertEquals(Stage.PREFLIGHT, failed.stage(), failed.toString());
        assertEquals("parent-image-unavailable", failed.reason(), failed.toString());
        assertTrue(failed.message().contains(denied) && failed.message().contains("may read it"), failed.message());
        assertTrue(failed.message().toLowerCase(java.util.Locale.ROOT).contains("auth"), failed.message());
        assertFalse(failed.message().contains("{"), "no daemon JSON: " + failed.message());
        assertFalse(failed.transientFailure());
    }

    @Test
    void contextWithAnotherDigestIsRefused() throws Exception {
        String realDigest = putContext(Map.of("Dockerfile", dockerfile("")));
        String claimed = "sha256:" + "0".repeat(64);
        Path dir = Path.of(System.getProperty(ContextServerResource.DIR_PROPERTY));
        Files.copy(dir.resolve(realDigest.replace(':', '_')), dir.resolve(claimed.replace(':', '_')));
        BuildRequested request = request(claimed, BuildOptions.DEFAULT);
        send(request);
        BuildFailed failed = first(awaitOutcome(request.buildId()), BuildFailed.class);
        assertEquals(Stage.SOURCE, failed.stage());
        assertEquals("context-digest-mismatch", failed.reason());
        assertTrue(failed.message().contains(realDigest), failed.message());

        BuildRequested unknown = request("sha256:" + "1".repeat(64), BuildOptions.DEFAULT);
        send(unknown);
        BuildFailed missing = first(awaitOutcome(unknown.buildId()), BuildFailed.class);
        assertEquals(Stage.SOURCE, missing.stage());
        assertEquals("source-unavailable", missing.reason());
    }

    @Test
    void missingDockerfileIsASourceFailure() throws Exception {
        String digest = putContext(Map.of("README", "no Dockerfile here\n"));
        BuildRequested request = request(digest, BuildOptions.DEFAULT);
        send(request);
        BuildFailed failed = first(awaitOutcome(request.buildId()), BuildFailed.class);
        assertEquals(Stage.SOURCE, failed.stage());
        assertEquals("dockerfile-missing", failed.reason());
    }

    @Test
    void runningBuildIsCanceledAndItsContainerRemoved() throws Exception {
        String digest = putContext(Map.of("Dockerfile", dockerfile("RUN sleep 120\n")));
        BuildRequested request = request(digest, BuildOptions.DEFAULT);
        send(request);
        List<ConsumerRecord<String, String>> records = await(request.buildId(),
                r -> all(r, BuildLog.class).stream().anyMatch(l -> l.lines().stream().anyMatch(s -> s.contains("Running in"))));
        String container = all(records, BuildLog.class).stream().flatMap(l -> l.lines().stream())
                .filter(s -> s.contains("Running in")).findFirst().orElseThrow().replaceAll(".*Running in ", "").trim();
        send(new BuildCancelRequested(request.buildId(), "bob", "changed my mind", Instant.now()));
        records = awaitOutcome(request.buildId());
        BuildCanceled canceled = first(records, BuildCanceled.class);
        assertEquals(Stage.BUILD, canceled.stage());
        assertEquals("bob", canceled.canceledBy());
        assertThrows(NotFoundException.class, () -> docker.inspectContainerCmd(container).exec(),
                "the intermediate container is removed");
        assertThrows(NotFoundException.class, () -> docker.inspectImageCmd(BuildImageTag.of(request.buildId())).exec());
    }

    @Test
    void cancelBeforeTheRequestSkipsTheBuild() throws Exception {
        String digest = putContext(Map.of("Dockerfile", dockerfile("")));
        BuildRequested request = request(digest, BuildOptions.DEFAULT);
        send(new BuildCancelRequested(request.buildId(), "carol", null, Instant.now()));
        awaitCancelsConsumed(); // the cancel travels on its own topic: the request must come after the worker has it
        send(request);
        List<ConsumerRecord<String, String>> records = awaitOutcome(request.buildId());
        assertEquals("carol", first(records, BuildCanceled.class).canceledBy());
        assertEquals(0, count(records, BuildStarted.class));
    }

    @Test
    void theCancelGroupsOfWorkersThatAreGoneAreRemovedAndALiveOneIsNot() throws Exception {
        awaitCancelsConsumed(); // this worker's own group exists and has a member
        String own = "kiln-container-build-cancel-" + ConfigProvider.getConfig().getValue("kiln.worker-id", String.class);
        String gone = "kiln-container-build-cancel-killed-" + UUID.randomUUID();
        String other = "kiln-someone-else-" + UUID.randomUUID();
        TopicPartition partition = new TopicPartition(EventType.BUILD_CANCEL_REQUESTED.topic(), 0);
        try (Admin admin = Admin.create(KafkaResource.broker().clientProperties(KafkaBroker.ADMIN));
                Admin asWorker = Admin.create(KafkaResource.broker().clientProperties("container-build"))) {
            // what a SIGKILLed worker leaves: a group with committed offsets and no member
            for (String group : List.of(gone, other)) {
                admin.alterConsumerGroupOffsets(group, Map.of(partition, new OffsetAndMetadata(0))).all().get();
            }
            // as the worker's principal, which may delete only its own family of groups
            List<String> removed = KafkaTopics.deleteEmptyGroups(asWorker, "kiln-container-build-cancel-", own);
            assertTrue(removed.contains(gone), removed.toString());
            assertFalse(removed.contains(own), "the live worker's group stays");
            assertFalse(removed.contains(other), "only cancel groups are touched");
            java.util.Set<String> groups = admin.listConsumerGroups().all().get().stream()
                    .map(org.apache.kafka.clients.admin.ConsumerGroupListing::groupId)
                    .collect(java.util.stream.Collectors.toSet());
            assertFalse(groups.contains(gone));
            assertTrue(groups.contains(own));
            assertTrue(groups.contains(other));
            admin.deleteConsumerGroups(List.of(other)).all().get();
        }
    }

    /** Waits until this worker's cancel consumer group has committed every cancel request sent so far. */
    private static void awaitCancelsConsumed() throws Exception {
        String group = "kiln-container-build-cancel-" + ConfigProvider.getConfig().getValue("kiln.worker-id", String.class);
        String topic = EventType.BUILD_CANCEL_REQUESTED.topic();
        try (Admin admin = Admin.create(KafkaResource.broker().clientProperties(KafkaBroker.ADMIN))) {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (System.nanoTime() < deadline) {
                Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
                admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions()
                        .forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
                Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = admin.listOffsets(latest).all().get();
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                        .partitionsToOffsetAndMetadata().get();
                if (ends.entrySet().stream().allMatch(e -> e.getValue().offset() == 0 || committed.get(e.getKey()) != null
                        && committed.get(e.getKey()).offset() >= e.getValue().offset())) {
                    return;
                }
                Thread.sleep(100);
            }
        }
        fail("the cancel consumer group did not commit the cancel requests within " + WAIT);
    }

    @Test
    void slowBuildTimesOut() throws Exception {
        String digest = putContext(Map.of("Dockerfile", dockerfile("RUN sleep 120\n")));
        BuildRequested request = request(digest, new BuildOptions("none", 3));
        send(request);
        BuildFailed failed = first(awaitOutcome(request.buildId()), BuildFailed.class);
        assertEquals(Stage.BUILD, failed.stage());
        assertEquals("timeout", failed.reason());
    }

    @Test
    void malformedRequestGoesToTheDeadLetterTopic() throws Exception {
        String key = "garbage-" + UUID.randomUUID();
        producer.send(new ProducerRecord<>(EventType.BUILD_REQUESTED.topic(), key, "{\"not\": \"a build\"}")).get();
        List<ConsumerRecord<String, String>> records = await(key, r -> !r.isEmpty());
        assertEquals(EventType.BUILD_REQUESTED.deadLetterTopic(), records.get(0).topic());
    }

    // ---- helpers ----

    private static BuildRequested request(String digest, BuildOptions options) {
        return request("hello", digest, options);
    }

    private static BuildRequested request(String component, String digest, BuildOptions options) {
        String id = "cb-" + UUID.randomUUID();
        builds.add(id);
        return new BuildRequested(id, component, Source.context(digest), "Dockerfile", false, "alice",
                new Nvr("hello", "1.0", "1"), options, Instant.now());
    }

    /** A Dockerfile on the registry's base image with the required labels. */
    private static String dockerfile(String body) {
        return "FROM " + base + "\nLABEL name=hello version=1.0\n" + body;
    }

    private static void send(KilnEvent event) {
        kafka.send(event);
    }

    private static String putContext(Map<String, String> files) throws Exception {
        Map<String, byte[]> binary = new LinkedHashMap<>();
        files.forEach((name, text) -> binary.put(name, bytes(text)));
        return putFiles(binary);
    }

    private static String putFiles(Map<String, byte[]> files) throws Exception {
        return ContextServerResource.put(files);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private static List<ConsumerRecord<String, String>> awaitOutcome(String buildId) {
        return await(buildId, r -> r.stream().anyMatch(x -> x.topic().equals(EventType.BUILD_COMPLETED.topic())
                || x.topic().equals(EventType.BUILD_FAILED.topic()) || x.topic().equals(EventType.BUILD_CANCELED.topic())));
    }

    private static synchronized List<ConsumerRecord<String, String>> await(String key,
            Predicate<List<ConsumerRecord<String, String>>> done) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            List<ConsumerRecord<String, String>> mine = List.copyOf(seen.getOrDefault(key, List.of()));
            if (done.test(mine)) {
                return mine;
            }
            for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                if (r.key() != null) {
                    seen.computeIfAbsent(r.key(), k -> new CopyOnWriteArrayList<>()).add(r);
                }
            }
        }
        return fail("no outcome for " + key + " within " + WAIT + "; seen: " + seen.getOrDefault(key, List.of()).stream()
                .map(r -> r.topic() + " " + r.value()).toList());
    }

    private static String joined(List<ConsumerRecord<String, String>> records) {
        return String.join("\n", all(records, BuildLog.class).stream().flatMap(l -> l.lines().stream()).toList());
    }

    private static <T extends KilnEvent> List<T> all(List<ConsumerRecord<String, String>> records, Class<T> type) {
        List<T> result = new ArrayList<>();
        for (ConsumerRecord<String, String> r : records) {
            if (r.topic().equals(EventType.of(type).topic())) {
                result.add(EventCodec.decode(r.value(), type));
            }
        }
        return result;
    }

    private static <T extends KilnEvent> T first(List<ConsumerRecord<String, String>> records, Class<T> type) {
        List<T> found = all(records, type);
        if (found.isEmpty()) {
            return fail("expected a " + type.getSimpleName() + " but got: " + records.stream().map(r -> r.topic() + " "
                    + r.value()).toList());
        }
        return found.get(0);
    }

    private static long count(List<ConsumerRecord<String, String>> records, Class<? extends KilnEvent> type) {
        return records.stream().filter(r -> r.topic().equals(EventType.of(type).topic())).count();
    }

}
