package dev.kiln.buildsubmission;

import dev.kiln.events.CloudEventHeaders;
import dev.kiln.events.EventCodec;
import dev.kiln.events.EventType;
import dev.kiln.events.KilnEvent;
import dev.kiln.testsupport.KafkaBroker;
import dev.kiln.testsupport.KafkaResource;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Plain Kafka clients against the test broker, producing events the way the services do. */
public final class TestKafka {
    private static KafkaProducer<String, String> producer;

    private TestKafka() {
    }

    private static synchronized KafkaProducer<String, String> producer() {
        if (producer == null) {
            Properties p = new Properties();
            p.putAll(KafkaResource.broker().clientProperties(KafkaBroker.ADMIN));
            p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
            p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
            p.put(ProducerConfig.ACKS_CONFIG, "all");
            producer = new KafkaProducer<>(p);
        }
        return producer;
    }

    /** Sends {@code event} with CloudEvents headers and a fresh id; returns the id. */
    public static String send(KilnEvent event) {
        return send(event, UUID.randomUUID().toString());
    }

    /** Sends {@code event} with the given CloudEvents id (to simulate a redelivery). */
    public static String send(KilnEvent event, String ceId) {
        EventType type = EventType.of(event);
        sendRaw(type.topic(), event.buildId(), EventCodec.encode(event), ceId, type.ceType());
        return ceId;
    }

    public static void sendRaw(String topic, String key, String value, String ceId, String ceType) {
        ProducerRecord<String, String> r = new ProducerRecord<>(topic, key, value);
        header(r, CloudEventHeaders.SPEC_VERSION, CloudEventHeaders.SPEC_VERSION_VALUE);
        header(r, CloudEventHeaders.ID, ceId);
        header(r, CloudEventHeaders.TYPE, ceType);
        header(r, CloudEventHeaders.SOURCE, "/kiln/test");
        header(r, CloudEventHeaders.SUBJECT, key);
        header(r, CloudEventHeaders.TIME, Instant.now().toString());
        header(r, CloudEventHeaders.CONTENT_TYPE, CloudEventHeaders.JSON);
        try {
            producer().send(r).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("could not send to " + topic + ": " + e, e);
        }
    }

    private static void header(ProducerRecord<String, String> r, String name, String value) {
        r.headers().add(name, value.getBytes(StandardCharsets.UTF_8));
    }

    /** The first record on {@code topic} (read from the beginning) that matches, waiting up to 60 s for it. */
    public static ConsumerRecord<String, String> await(String topic, Predicate<ConsumerRecord<String, String>> match) {
        Properties p = new Properties();
        p.putAll(KafkaResource.broker().clientProperties(KafkaBroker.ADMIN));
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(p)) {
            c.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(500))) {
                    if (match.test(r)) {
                        return r;
                    }
                }
            }
        }
        throw new AssertionError("no matching record on " + topic);
    }

    public static String header(ConsumerRecord<String, String> r, String name) {
        var h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
