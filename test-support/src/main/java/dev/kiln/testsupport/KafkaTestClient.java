package dev.kiln.testsupport;

import dev.kiln.events.CloudEventHeaders;
import dev.kiln.events.EventCodec;
import dev.kiln.events.EventType;
import dev.kiln.events.KilnEvent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Plain Kafka clients against the test broker ({@link KafkaResource}), as the operator's principal (a super user:
 * tests play every service and the outside world): send events with CloudEvents headers the way
 * the services do, send raw (malformed) records, and wait for events on topics.
 */
public final class KafkaTestClient implements AutoCloseable {
    private final KafkaProducer<String, String> producer;
    private final KafkaConsumer<String, String> consumer;
    private final List<ConsumerRecord<String, String>> seen = new ArrayList<>();

    public KafkaTestClient(EventType... listenTo) {
        this(Arrays.stream(listenTo).map(EventType::topic).toArray(String[]::new));
    }

    public KafkaTestClient(String... topics) {
        this(KafkaBroker.ADMIN, List.of(topics));
    }

    /** A client with {@code principal}'s certificate (issued on demand by the test broker's CA). */
    public static KafkaTestClient as(String principal, String... topics) {
        return new KafkaTestClient(principal, List.of(topics));
    }

    private KafkaTestClient(String principal, List<String> topics) {
        Map<String, Object> client = KafkaResource.broker().clientProperties(principal);
        Map<String, Object> p = new HashMap<>(client);
        p.put("acks", "all");
        producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
        Map<String, Object> c = new HashMap<>(client);
        c.put("group.id", "test-" + UUID.randomUUID());
        c.put("auto.offset.reset", "earliest");
        consumer = new KafkaConsumer<>(c, new StringDeserializer(), new StringDeserializer());
        if (!topics.isEmpty()) {
            consumer.subscribe(topics);
        }
    }

    public void send(KilnEvent event) {
        send(EventType.of(event).topic(), event);
    }

    /** Sends {@code event} with its CloudEvents headers to {@code topic} (a QA hook's own topic, say). */
    public void send(String topic, KilnEvent event) {
        EventType type = EventType.of(event);
        ProducerRecord<String, String> record = new ProducerRecord<>(topic, event.buildId(), EventCodec.encode(event));
        Map.of(CloudEventHeaders.SPEC_VERSION, CloudEventHeaders.SPEC_VERSION_VALUE,
                CloudEventHeaders.ID, UUID.randomUUID().toString(),
                CloudEventHeaders.TYPE, type.ceType(),
                CloudEventHeaders.SOURCE, "/kiln/test",
                CloudEventHeaders.SUBJECT, event.buildId(),
                CloudEventHeaders.TIME, Instant.now().toString(),
                CloudEventHeaders.CONTENT_TYPE, CloudEventHeaders.JSON)
                .forEach((k, v) -> record.headers().add(k, v.getBytes(StandardCharsets.UTF_8)));
        try {
            producer.send(record).get();
        } catch (Exception e) {
            throw new IllegalStateException("cannot send test event to " + topic + ": " + e, e);
        }
    }

    /** Sends a raw record, e.g. a malformed event. */
    public void sendRaw(String topic, String key, String value) {
        try {
            producer.send(new ProducerRecord<>(topic, key, value)).get();
        } catch (Exception e) {
            throw new IllegalStateException("cannot send test record: " + e, e);
        }
    }

    /** The first record on {@code topic} with key {@code key}, waiting up to {@code timeout}. */
    public ConsumerRecord<String, String> awaitRecord(String topic, String key, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            for (ConsumerRecord<String, String> r : seen) {
                if (r.topic().equals(topic) && key.equals(r.key())) {
                    seen.remove(r);
                    return r;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no record with key " + key + " on " + topic + " within " + timeout);
            }
            consumer.poll(Duration.ofMillis(200)).forEach(seen::add);
        }
    }

    /** The first event of {@code type} matching {@code filter} (earlier ones included), waiting up to {@code timeout}. */
    public <T extends KilnEvent> T await(Class<T> type, Predicate<T> filter, Duration timeout) {
        EventType eventType = EventType.of(type);
        long deadline = System.nanoTime() + timeout.toNanos();
        int checked = 0;
        while (true) {
            for (; checked < seen.size(); checked++) {
                ConsumerRecord<String, String> r = seen.get(checked);
                if (r.topic().equals(eventType.topic())) {
                    T event = EventCodec.decode(r.value(), type);
                    if (filter.test(event)) {
                        seen.remove(checked);
                        return event;
                    }
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no matching " + eventType.topic() + " event within " + timeout);
            }
            consumer.poll(Duration.ofMillis(200)).forEach(seen::add);
        }
    }

    @Override
    public void close() {
        producer.close();
        consumer.close();
    }
}
