package dev.kiln.containerbuild.messaging;

import static org.junit.jupiter.api.Assertions.fail;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import dev.kiln.events.BuildCompleted;
import dev.kiln.events.BuildFailed;
import dev.kiln.events.BuildLog;
import dev.kiln.events.BuildOptions;
import dev.kiln.events.BuildRequested;
import dev.kiln.events.EventCodec;
import dev.kiln.events.EventType;
import dev.kiln.events.KilnEvent;
import dev.kiln.events.Nvr;
import dev.kiln.events.Source;
import dev.kiln.support.docker.BuildImageTag;
import dev.kiln.testsupport.KafkaBroker;
import dev.kiln.testsupport.KafkaResource;
import dev.kiln.testsupport.KafkaTestClient;
import dev.kiln.testsupport.TestDocker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.utils.Utils;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Scale-out tests' view of the consumer group {@code kiln-container-build}: who owns which partition of
 * {@code kiln.build.requested}, build requests placed on a chosen partition, and every event of a build so far.
 */
final class BuildGroup {
    private static final Pattern RUN_STEP = Pattern.compile("^Step \\d+/\\d+ : RUN ");
    private static final Pattern RUNNING_IN = Pattern.compile("Running in ([0-9a-f]{12,64})");
    static final String GROUP = "kiln-container-build";

    private BuildGroup() {
    }

    /** The consumer client id of a worker (application.properties names it after the worker id). */
    static String clientId(String workerId) {
        return "kiln-container-build-" + workerId;
    }

    /** The worker id of the test's own Quarkus instance. */
    static String testWorkerId() {
        return ConfigProvider.getConfig().getValue("kiln.worker-id", String.class);
    }

    /**
     * Waits until exactly the workers {@code workerIds} own the partitions of {@code kiln.build.requested} (a killed
     * worker still counts until its session expires); returns worker id → its partitions.
     */
    static Owners awaitOwners(Set<String> workerIds, PackagedWorker packaged, Duration wait) throws Exception {
        Properties p = new Properties();
        p.putAll(KafkaResource.broker().clientProperties(KafkaBroker.ADMIN));
        Map<String, List<Integer>> owned = new TreeMap<>();
        try (Admin admin = Admin.create(p)) {
            long deadline = System.nanoTime() + wait.toNanos();
            while (System.nanoTime() < deadline) {
                packaged.assertAlive();
                ConsumerGroupDescription group = admin.describeConsumerGroups(List.of(GROUP)).all().get().get(GROUP);
                owned.clear();
                for (MemberDescription m : group.members()) {
                    List<Integer> mine = m.assignment().topicPartitions().stream()
                            .filter(tp -> tp.topic().equals(EventType.BUILD_REQUESTED.topic()))
                            .map(TopicPartition::partition).toList();
                    if (!mine.isEmpty()) {
                        owned.put(workerOf(m.clientId()), mine);
                    }
                }
                if (owned.keySet().equals(workerIds)) {
                    return new Owners(Map.copyOf(owned));
                }
                Thread.sleep(200);
            }
        }
        return fail("the partitions of " + EventType.BUILD_REQUESTED.topic() + " did not go to " + workerIds + " within "
                + wait + "; owners: " + owned);
    }

    private static String workerOf(String clientId) {
        String prefix = clientId("");
        return clientId.startsWith(prefix) ? clientId.substring(prefix.length()) : clientId;
    }

    /** Worker id → the partitions of {@code kiln.build.requested} it owns. */
    record Owners(Map<String, List<Integer>> partitions) {
        int total() {
            return partitions.values().stream().mapToInt(List::size).sum();
        }

        int first(String workerId) {
            return partitions.get(workerId).get(0);
        }

        /** A build id that the default partitioner puts on {@code partition}, which {@code workerId} owns. */
        String idOn(String workerId, int partition) {
            if (!partitions.get(workerId).contains(partition)) {
                throw new IllegalArgumentException(workerId + " does not own partition " + partition + ": " + partitions);
            }
            while (true) {
                String id = "scale-" + UUID.randomUUID();
                if (Utils.toPositive(Utils.murmur2(id.getBytes(StandardCharsets.UTF_8))) % total() == partition) {
                    return id;
                }
            }
        }
    }

    /** A build request of the host-network component (so its RUN steps reach a {@link RunGate}). */
    static BuildRequested request(String id, String contextDigest) {
        return new BuildRequested(id, BuilderResource.HOST_NETWORK_COMPONENT, Source.context(contextDigest), "Dockerfile",
                false, "alice", new Nvr("hello", "1.0", "1"), new BuildOptions("host", 300), Instant.now());
    }

    /**
     * The container the daemon runs a build's first {@code RUN} step in, from the build log: the legacy builder prints
     * {@code ---> Running in <id>} for every step it commits, {@code LABEL}s included, so the id that counts is the
     * first one after the {@code Step n/m : RUN} line. Reads the build's log batches in order.
     */
    static String runStepContainer(KafkaTestClient kafka, String buildId, Duration wait) {
        List<String> lines = new ArrayList<>();
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            Duration left = Duration.ofNanos(Math.max(1, deadline - System.nanoTime()));
            lines.addAll(kafka.await(BuildLog.class, l -> l.buildId().equals(buildId), left).lines());
            boolean inRun = false;
            for (String line : lines) {
                if (RUN_STEP.matcher(line).find()) {
                    inRun = true;
                } else if (inRun) {
                    Matcher m = RUNNING_IN.matcher(line);
                    if (m.find()) {
                        return m.group(1);
                    }
                }
            }
        }
    }

    /** Whether the daemon has {@code container} running. */
    static boolean running(DockerClient docker, String container) {
        try {
            return Boolean.TRUE.equals(docker.inspectContainerCmd(container).exec().getState().getRunning());
        } catch (NotFoundException e) {
            return false;
        }
    }

    /** Waits until the daemon removed {@code container} (what names it in the failure: {@code what}). */
    static void awaitRemoved(DockerClient docker, String container, String what, Duration wait)
            throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                docker.inspectContainerCmd(container).exec();
            } catch (NotFoundException e) {
                return;
            }
            Thread.sleep(200);
        }
        fail(what + " " + container + " is still there: " + docker.inspectContainerCmd(container).exec().getState());
    }

    /** Puts a context with only {@code dockerfile} on the test's context server; returns its digest. */
    static String putContext(String dockerfile) throws Exception {
        return ContextServerResource.put(Map.of("Dockerfile", dockerfile.getBytes(StandardCharsets.UTF_8)));
    }

    /** The Dockerfile's first lines: the test base image from the allowed registry and the required labels. */
    static String baseDockerfile() {
        return "FROM " + System.getProperty(BuilderResource.BASE_PROPERTY) + "\nLABEL name=hello version=1.0\n";
    }

    /** The build's build.completed; fails with its build.failed when it failed. */
    static BuildCompleted completed(KafkaTestClient kafka, BuildRequested r, Duration wait) {
        try {
            return kafka.await(BuildCompleted.class, e -> e.buildId().equals(r.buildId()), wait);
        } catch (AssertionError e) {
            BuildFailed failed = kafka.await(BuildFailed.class, f -> f.buildId().equals(r.buildId()), Duration.ofSeconds(1));
            return fail("build " + r.buildId() + " failed: " + failed);
        }
    }

    /** Removes the images the builds {@code buildIds} left in the test daemon. */
    static void removeImages(Collection<String> buildIds) {
        DockerClient docker = TestDocker.client();
        for (String id : buildIds) {
            try {
                docker.removeImageCmd(BuildImageTag.of(id)).withForce(true).exec();
            } catch (NotFoundException e) {
                // never built
            }
        }
    }

    /**
     * Every event of build {@code buildId} on the topics of {@code types} that the broker holds now: each topic is
     * read from its beginning up to its current end, so nothing sent before this call is missed.
     */
    static List<KilnEvent> eventsSoFar(String buildId, EventType... types) {
        Properties c = new Properties();
        c.putAll(KafkaResource.broker().clientProperties(KafkaBroker.ADMIN));
        List<KilnEvent> events = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(c, new StringDeserializer(),
                new StringDeserializer())) {
            for (EventType type : types) {
                List<TopicPartition> partitions = consumer.partitionsFor(type.topic()).stream()
                        .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
                consumer.assign(partitions);
                consumer.seekToBeginning(partitions);
                Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
                while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                    for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                        if (buildId.equals(r.key())) {
                            events.add(EventCodec.decode(r.value(), type.recordType()));
                        }
                    }
                }
            }
        }
        return events;
    }
}
