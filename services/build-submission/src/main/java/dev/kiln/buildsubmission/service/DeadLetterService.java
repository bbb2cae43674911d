package dev.kiln.buildsubmission.service;

import dev.kiln.buildsubmission.domain.Caller;
import dev.kiln.buildsubmission.store.Transactions;
import dev.kiln.events.EventType;
import dev.kiln.events.TopicAccess;
import dev.kiln.support.messaging.DeadLetterHeaders;
import dev.kiln.support.messaging.EventPublisher;
import dev.kiln.support.messaging.broker.KafkaClients;
import dev.kiln.support.text.Excerpt;
import dev.kiln.support.text.Failures;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

/**
 * The dead letters of every Kiln topic ({@code <topic>.dlq}), for admins: listed and shown with their original
 * headers, the consumer that refused them and why ({@link DeadLetterHeaders}), and replayed onto their original topic
 * with their original key, value and headers (the dead-letter headers taken off, the CloudEvents {@code ce_id} kept,
 * so a consumer that saw the event before recognises it). Each dead letter is named
 * {@code <dlq topic>~<partition>~<offset>}; replays are recorded in {@code dead_letter_replays}. The topics are read
 * with a plain consumer that assigns partitions itself: no consumer group, no committed offsets.
 *
 * <p>Longer than the house's 300 lines: listing, showing and replaying share one consumer that assigns partitions
 * itself and one naming of dead letters; each half alone would need both.
 */
@ApplicationScoped
public class DeadLetterService {
    private static final Logger LOG = Logger.getLogger(DeadLetterService.class);
    private static final Pattern ID = Pattern.compile("([a-z0-9.-]+\\.dlq)~(\\d{1,6})~(\\d{1,19})");
    /** How many dead letters one listing reads from a topic at most (newest kept). */
    static final int READ_CAP = 10_000;
    private static final Duration POLL = Duration.ofMillis(500);
    private static final Duration DEADLINE = Duration.ofSeconds(15);

    /** A dead letter: where it is, where it came from, who refused it and why, and the record itself. */
    public record DeadLetter(String id, String deadLetterTopic, int partition, long offset, String topic,
            Integer originalPartition, Long originalOffset, String key, String ceId, String ceType, String buildId,
            String consumer, String group, String reason, Instant time, Map<String, String> headers, String value,
            Replay replay) {
    }

    /** A recorded replay of a dead letter. */
    public record Replay(String deadLetter, String topic, String ceId, String replayedBy, Instant replayedAt, int times) {
    }

    private final KafkaClients clients;
    private final EventPublisher publisher;
    private final Transactions tx;

    public DeadLetterService(KafkaClients clients, EventPublisher publisher, Transactions tx) {
        this.clients = clients;
        this.publisher = publisher;
        this.tx = tx;
    }

    /**
     * Every Kiln dead-letter topic, or the one of {@code topic} (a topic or its {@code .dlq}): each event's, and each
     * QA hook's ({@code kiln.qa.hook.<name>.dlq}, where qa puts the results it refused) when asked for by name.
     */
    public List<String> topics(Optional<String> topic) {
        List<String> all = new ArrayList<>();
        for (EventType t : EventType.values()) {
            all.add(t.deadLetterTopic());
        }
        if (topic.isEmpty()) {
            return all;
        }
        String wanted = topic.get().endsWith(".dlq") ? topic.get() : topic.get() + ".dlq";
        boolean hook = TopicAccess.Hook.ofTopic(wanted.substring(0, wanted.length() - ".dlq".length())).isPresent();
        if (!all.contains(wanted) && !hook) {
            throw SubmissionException.invalid("Unknown topic", "topic " + Excerpt.of(topic.get())
                    + " is not a Kiln topic; topics: " + String.join(", ",
                            java.util.Arrays.stream(EventType.values()).map(EventType::topic).toList())
                    + " and each QA hook's " + TopicAccess.HOOK_TOPIC_PREFIX + "<name>");
        }
        return List.of(wanted);
    }

    /** The dead letters of {@code topic} (or all), newest first, at most {@code limit}. */
    public List<DeadLetter> list(Optional<String> topic, int limit) {
        List<String> topics = new ArrayList<>(topics(topic));
        Map<String, Replay> replays = replays();
        List<DeadLetter> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = consumer()) {
            if (topic.isEmpty()) {
                consumer.listTopics(DEADLINE).keySet().stream()
                        .filter(t -> t.startsWith(TopicAccess.HOOK_TOPIC_PREFIX) && t.endsWith(".dlq")).sorted()
                        .forEach(topics::add);
            }
            for (String dlq : topics) {
                for (ConsumerRecord<String, byte[]> r : readAll(consumer, dlq)) {
                    out.add(describe(r, replays));
                }
            }
        } catch (org.apache.kafka.common.KafkaException e) {
            throw unavailable(e);
        }
        out.sort(Comparator.comparing(DeadLetter::time, Comparator.nullsLast(Comparator.reverseOrder()))
                .thenComparing(DeadLetter::id));
        return out.size() > limit ? out.subList(0, limit) : out;
    }

    /** One dead letter by id. */
    public DeadLetter find(String id) {
        Matcher m = ID.matcher(id);
        if (!m.matches()) {
            throw SubmissionException.invalid("Bad dead-letter id", "a dead-letter id reads <topic>.dlq~<partition>~<offset>, e.g. "
                    + "kiln.image.pushed.dlq~0~12; got " + Excerpt.of(id));
        }
        String dlq = m.group(1);
        topics(Optional.of(dlq));
        TopicPartition tp = new TopicPartition(dlq, Integer.parseInt(m.group(2)));
        long offset = Long.parseLong(m.group(3));
        try (KafkaConsumer<String, byte[]> consumer = consumer()) {
            List<PartitionInfo> partitions = consumer.partitionsFor(dlq, DEADLINE);
            if (partitions == null || partitions.stream().noneMatch(p -> p.partition() == tp.partition())) {
                throw notFound(id);
            }
            consumer.assign(List.of(tp));
            long end = consumer.endOffsets(List.of(tp), DEADLINE).getOrDefault(tp, 0L);
            if (offset >= end) {
                throw notFound(id);
            }
            consumer.seek(tp, offset);
            Instant deadline = Instant.now().plus(DEADLINE);
            while (Instant.now().isBefore(deadline)) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(POLL)) {
                    if (r.offset() == offset) {
                        return describe(r, replays());
                    }
                    if (r.offset() > offset) {
                        throw notFound(id); // deleted by retention or compaction
                    }
                }
            }
            throw notFound(id);
        } catch (org.apache.kafka.common.KafkaException e) {
            throw unavailable(e);
        }
    }

    /**
     * Sends dead letter {@code id} again to its original topic and records the replay. A dead letter replayed before
     * is refused (409) unless {@code force}: consumers handle a repeat idempotently, but nobody should need to.
     */
    public Replay replay(String id, boolean force, Caller by) {
        DeadLetter d = find(id);
        if (d.replay() != null && !force) {
            throw SubmissionException.conflict("Replayed already", "dead letter " + id + " was replayed by "
                    + d.replay().replayedBy() + " at " + d.replay().replayedAt() + "; add force to send it again");
        }
        RecordHeaders headers = new RecordHeaders();
        d.headers().forEach((name, value) -> {
            if (!DeadLetterHeaders.added(name)) {
                headers.add(name, value.getBytes(StandardCharsets.UTF_8));
            }
        });
        publisher.sendRecord(d.topic(), d.key(), d.value(), headers);
        LOG.infof("%s replayed dead letter %s (%s, build %s) onto %s", by.user(), id, d.ceType(), d.buildId(), d.topic());
        return tx.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO submission.dead_letter_replays (dead_letter, topic, ce_id, replayed_by) VALUES (?, ?, ?, ?)
                    ON CONFLICT (dead_letter) DO UPDATE SET replayed_by = EXCLUDED.replayed_by, replayed_at = now(),
                        times = submission.dead_letter_replays.times + 1
                    RETURNING dead_letter, topic, ce_id, replayed_by, replayed_at, times""")) {
                ps.setString(1, id);
                ps.setString(2, d.topic());
                ps.setString(3, d.ceId());
                ps.setString(4, by.user());
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return replay(rs);
                }
            }
        });
    }

    /** Replays every dead letter of {@code topic} not replayed yet, oldest first. */
    public List<Replay> replayAll(String topic, Caller by) {
        String dlq = topics(Optional.of(topic)).get(0);
        List<DeadLetter> pending = new ArrayList<>(list(Optional.of(dlq), READ_CAP).stream().filter(d -> d.replay() == null).toList());
        java.util.Collections.reverse(pending);
        List<Replay> done = new ArrayList<>();
        for (DeadLetter d : pending) {
            done.add(replay(d.id(), false, by));
        }
        return done;
    }

    private KafkaConsumer<String, byte[]> consumer() {
        Map<String, Object> p = clients.properties();
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "kiln-hub-dead-letters");
        p.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "15000");
        return new KafkaConsumer<>(p);
    }

    /** Every record of {@code topic} (at most {@link #READ_CAP} per partition, the newest); none when it does not exist. */
    private static List<ConsumerRecord<String, byte[]>> readAll(KafkaConsumer<String, byte[]> consumer, String topic) {
        List<PartitionInfo> partitions = consumer.listTopics(DEADLINE).get(topic);
        if (partitions == null || partitions.isEmpty()) {
            return List.of();
        }
        List<TopicPartition> tps = partitions.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
        consumer.assign(tps);
        Map<TopicPartition, Long> ends = consumer.endOffsets(tps, DEADLINE);
        Map<TopicPartition, Long> begins = consumer.beginningOffsets(tps, DEADLINE);
        Map<TopicPartition, Long> left = new HashMap<>();
        for (TopicPartition tp : tps) {
            long end = ends.getOrDefault(tp, 0L);
            long start = Math.max(begins.getOrDefault(tp, 0L), end - READ_CAP);
            if (end > start) {
                consumer.seek(tp, start);
                left.put(tp, end);
            }
        }
        consumer.assign(List.copyOf(left.keySet()));
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        Instant deadline = Instant.now().plus(DEADLINE);
        while (!left.isEmpty() && Instant.now().isBefore(deadline)) {
            for (ConsumerRecord<String, byte[]> r : consumer.poll(POLL)) {
                TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                Long end = left.get(tp);
                if (end != null && r.offset() < end) {
                    out.add(r);
                }
            }
            left.entrySet().removeIf(e -> consumer.position(e.getKey(), DEADLINE) >= e.getValue());
        }
        return out;
    }

    private DeadLetter describe(ConsumerRecord<String, byte[]> r, Map<String, Replay> replays) {
        Map<String, String> headers = new LinkedHashMap<>();
        for (Header h : r.headers()) {
            headers.put(h.key(), h.value() == null ? "" : new String(h.value(), StandardCharsets.UTF_8));
        }
        String id = r.topic() + "~" + r.partition() + "~" + r.offset();
        String topic = Optional.ofNullable(headers.get(DeadLetterHeaders.TOPIC))
                .orElse(r.topic().substring(0, r.topic().length() - ".dlq".length()));
        Instant time = Optional.ofNullable(headers.get(DeadLetterHeaders.TIME)).flatMap(DeadLetterService::instant)
                .orElse(Instant.ofEpochMilli(r.timestamp()));
        String reason = Optional.ofNullable(headers.get(DeadLetterHeaders.REASON))
                .orElse(headers.get("dead-letter-reason"));
        String value = r.value() == null ? null : new String(r.value(), StandardCharsets.UTF_8);
        return new DeadLetter(id, r.topic(), r.partition(), r.offset(), topic,
                number(headers.get(DeadLetterHeaders.PARTITION)).map(Long::intValue).orElse(null),
                number(headers.get(DeadLetterHeaders.OFFSET)).orElse(null), r.key(), headers.get("ce_id"),
                headers.get("ce_type"), Optional.ofNullable(headers.get("ce_subject")).orElse(r.key()),
                headers.get(DeadLetterHeaders.CONSUMER), headers.get(DeadLetterHeaders.GROUP), reason, time, headers, value,
                replays.get(id));
    }

    private Map<String, Replay> replays() {
        return tx.inTransaction(c -> {
            Map<String, Replay> out = new HashMap<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT dead_letter, topic, ce_id, replayed_by, replayed_at, times FROM submission.dead_letter_replays");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Replay r = replay(rs);
                    out.put(r.deadLetter(), r);
                }
            }
            return out;
        });
    }

    private static Replay replay(ResultSet rs) throws SQLException {
        Timestamp at = rs.getTimestamp(5);
        return new Replay(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                at == null ? null : at.toInstant(), rs.getInt(6));
    }

    private static Optional<Instant> instant(String text) {
        try {
            return Optional.of(Instant.parse(text));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    private static Optional<Long> number(String text) {
        try {
            return text == null ? Optional.empty() : Optional.of(Long.parseLong(text.strip()));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static SubmissionException notFound(String id) {
        return SubmissionException.notFound("Unknown dead letter", "there is no dead letter " + Excerpt.of(id)
                + " (kiln admin dlq list shows them)");
    }

    private static SubmissionException unavailable(RuntimeException e) {
        LOG.warnf("reading the dead-letter topics failed: %s", Failures.message(e));
        return SubmissionException.unavailable("Broker unavailable", "the Kafka broker did not answer; try again shortly");
    }
}
