package dev.kiln.support.messaging.broker;

import dev.kiln.support.messaging.MessagingConfig;
import dev.kiln.support.text.Failures;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupListing;
import org.apache.kafka.clients.admin.ListConsumerGroupsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

/**
 * Kiln's topics, checked by every service when it starts (on a thread of its own, so a broker that is away delays
 * nothing). The services do not create topics: the operator's principal does, with {@link BusSetup} (every event
 * topic and its dead-letter topic; {@code kiln bus setup --partitions}, 6 by default, an even split for 1, 2, 3 or 6
 * instances of a stage). A missing topic is logged with the command that makes it, and each topic this service
 * consumes is checked against {@code kiln.messaging.expected-instances}: a partition count that is not a multiple of it
 * leaves some instances with more partitions than others (3 partitions over 2 container-build workers: 2 and 1, and the
 * one with 1 idles while the other has a queue), which is logged as a warning with the fix. Kiln never changes a
 * partition count (that would move keys between partitions, and with them the order per build).
 */
@ApplicationScoped
public class KafkaTopics {
    private static final Logger LOG = Logger.getLogger(KafkaTopics.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @Inject
    MessagingConfig config;

    @Inject
    KafkaClients clients;

    void onStart(@Observes StartupEvent started) {
        Config all = ConfigProvider.getConfig();
        if (all.getOptionalValue("kafka.bootstrap.servers", String.class).isEmpty()) {
            return;
        }
        Thread check = new Thread(() -> check(consumedTopics(all)), "kiln-topic-check");
        check.setDaemon(true);
        check.start();
    }

    /** The topics of this service's incoming channels ({@code mp.messaging.incoming.<channel>.topic}). */
    static Set<String> consumedTopics(Config config) {
        Set<String> topics = new TreeSet<>();
        consumedTopicsByGroup(config).values().forEach(topics::addAll);
        return topics;
    }

    /**
     * This service's consumer groups and the topics each consumes, from {@code mp.messaging.incoming.<channel>.topic}
     * and {@code .group.id} (a channel without a group id is listed under {@code ""}); a channel subscribed by
     * {@code .pattern} names no topic and is left out.
     */
    public static Map<String, Set<String>> consumedTopicsByGroup(Config config) {
        Map<String, Set<String>> out = new TreeMap<>();
        for (String name : config.getPropertyNames()) {
            if (name.startsWith("mp.messaging.incoming.") && name.endsWith(".topic")) {
                String channel = name.substring("mp.messaging.incoming.".length(), name.length() - ".topic".length());
                if (config.getOptionalValue("mp.messaging.incoming." + channel + ".pattern", Boolean.class)
                        .orElse(false)) {
                    continue; // a family of topics (qa's hook topics), which exist only once hooks are added
                }
                String group = config.getOptionalValue("mp.messaging.incoming." + channel + ".group.id", String.class)
                        .orElse("");
                config.getOptionalValue(name, String.class).ifPresent(t -> {
                    for (String topic : t.split(",")) {
                        out.computeIfAbsent(group, g -> new TreeSet<>()).add(topic.strip());
                    }
                });
            }
        }
        return out;
    }

    /**
     * The records {@code group} has still to read on {@code topics}, per topic: end offset minus committed offset
     * (minus the earliest offset where the group committed nothing yet) over every partition.
     */
    public static Map<String, Long> lag(Admin admin, String group, Set<String> topics) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        Map<TopicPartition, OffsetSpec> ends = new HashMap<>();
        Map<TopicPartition, OffsetSpec> starts = new HashMap<>();
        admin.describeTopics(topics).allTopicNames().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS).values()
                .forEach(t -> t.partitions().forEach(p -> {
                    TopicPartition tp = new TopicPartition(t.name(), p.partition());
                    ends.put(tp, OffsetSpec.latest());
                    starts.put(tp, OffsetSpec.earliest());
                }));
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> end = admin.listOffsets(ends).all()
                .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> start = admin.listOffsets(starts).all()
                .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        Map<String, Long> byTopic = new TreeMap<>();
        for (TopicPartition tp : end.keySet()) {
            OffsetAndMetadata c = committed.get(tp);
            long from = c == null ? start.get(tp).offset() : c.offset();
            byTopic.merge(tp.topic(), Math.max(0, end.get(tp).offset() - from), Long::sum);
        }
        return byTopic;
    }

    private void check(Set<String> consumed) {
        try (Admin admin = clients.admin()) {
            // a principal lists only the topics its ACLs let it describe: this service's own (each consumed topic
            // and its dead-letter topic)
            Set<String> existing = admin.listTopics().names().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            Set<String> missing = new TreeSet<>();
            for (String topic : consumed) {
                missing.add(topic);
                missing.add(topic + ".dlq");
            }
            missing.removeAll(existing);
            if (!missing.isEmpty()) {
                LOG.warnf("topics %s are missing, or this service may not see them: the operator makes Kiln's topics"
                        + " and their ACLs with kiln bus setup (docs/security.md); until then this service waits for"
                        + " them", missing);
                consumed = new TreeSet<>(consumed);
                consumed.retainAll(existing);
            }
            Map<String, TopicDescription> described = admin.describeTopics(consumed).allTopicNames()
                    .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            for (String warning : unevenSplits(described, config.expectedInstances())) {
                LOG.warn(warning);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.warnf("could not check Kiln's topics: %s", Failures.message(e));
        }
    }

    /** A warning for each topic whose partitions do not split evenly over {@code instances} consumers. */
    static List<String> unevenSplits(Map<String, TopicDescription> topics, int instances) {
        List<String> warnings = new ArrayList<>();
        for (TopicDescription topic : new TreeMap<>(topics).values()) {
            int partitions = topic.partitions().size();
            if (instances > 1 && partitions % instances != 0) {
                int low = partitions / instances;
                warnings.add("topic " + topic.name() + " has " + partitions + " partitions for "
                        + instances + " instances (kiln.messaging.expected-instances): some get " + (low + 1)
                        + " partitions and some " + low + ", so work does not spread evenly; create it with a"
                        + " multiple of " + instances + " partitions (kafka-topics --alter --partitions only adds"
                        + " them and moves keys: do it with the stage idle)");
            }
        }
        return warnings;
    }

    /**
     * Deletes the consumer groups whose names start with {@code prefix} that have no member left, except
     * {@code keep}; answers the names deleted. For per-instance groups (container-build's cancel groups) whose
     * instances were killed before they could remove them.
     */
    public static List<String> deleteEmptyGroups(Admin admin, String prefix, String keep) throws Exception {
        Collection<ConsumerGroupListing> empty = admin.listConsumerGroups(new ListConsumerGroupsOptions()
                .inGroupStates(Set.of(GroupState.EMPTY))).all().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        List<String> stale = empty.stream().map(ConsumerGroupListing::groupId)
                .filter(g -> g.startsWith(prefix) && !g.equals(keep)).sorted().toList();
        if (!stale.isEmpty()) {
            admin.deleteConsumerGroups(stale).all().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        }
        return stale;
    }
}
