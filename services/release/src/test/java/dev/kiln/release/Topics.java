package dev.kiln.release;

import dev.kiln.events.EventCodec;
import dev.kiln.events.EventType;
import dev.kiln.events.KilnEvent;
import dev.kiln.testsupport.KafkaBroker;
import dev.kiln.testsupport.KafkaResource;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Plain Kafka clients against the test broker, as the operator: send events, read a topic from the beginning. */
final class Topics {
    private final Map<String, Object> client = KafkaResource.broker().clientProperties(KafkaBroker.ADMIN);

    void send(KilnEvent event) {
        EventType type = EventType.of(event);
        sendRaw(type.topic(), event.buildId(), EventCodec.encode(event), type.ceType());
    }

    void sendRaw(String topic, String key, String value, String ceType) {
        Properties p = new Properties();
        p.putAll(client);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            ProducerRecord<String, String> record = new ProducerRecord<>(topic, key, value);
            record.headers().add("ce_specversion", "1.0".getBytes(StandardCharsets.UTF_8));
            record.headers().add("ce_id", UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8));
            record.headers().add("ce_type", ceType.getBytes(StandardCharsets.UTF_8));
            record.headers().add("ce_source", "/kiln/test".getBytes(StandardCharsets.UTF_8));
            record.headers().add("ce_subject", key.getBytes(StandardCharsets.UTF_8));
            producer.send(record).get();
        } catch (Exception e) {
            throw new IllegalStateException("cannot send to " + topic, e);
        }
    }

    /** Every event of {@code type} with key {@code buildId} currently on the topic. */
    <T extends KilnEvent> List<T> read(Class<T> type, String buildId) {
        return readRaw(EventType.of(type).topic(), buildId).stream().map(v -> EventCodec.decode(v, type)).toList();
    }

    /** Waits until at least {@code count} events of {@code type} for {@code buildId} are on the topic; returns them all. */
    <T extends KilnEvent> List<T> await(Class<T> type, String buildId, int count, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        List<T> found = List.of();
        while (Instant.now().isBefore(deadline)) {
            found = read(type, buildId);
            if (found.size() >= count) {
                return found;
            }
            sleep(250);
        }
        throw new AssertionError("expected " + count + " " + type.getSimpleName() + " event(s) for " + buildId + " within "
                + timeout + ", got " + found.size() + ": " + found);
    }

    List<String> readRaw(String topic, String key) {
        return records(topic).stream().filter(r -> key.equals(r.key())).map(ConsumerRecord::value).collect(Collectors.toList());
    }

    private List<ConsumerRecord<String, String>> records(String topic) {
        Properties p = new Properties();
        p.putAll(client);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        List<ConsumerRecord<String, String>> all = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(10));
            if (infos == null || infos.isEmpty()) {
                return all;
            }
            List<TopicPartition> partitions = infos.stream().map(i -> new TopicPartition(topic, i.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            var end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                consumer.poll(Duration.ofMillis(200)).forEach(all::add);
            }
        }
        return all;
    }

    /** Waits until consumer group {@code groupId} has committed offsets up to the end of every partition of {@code topics}. */
    void awaitConsumed(String groupId, Duration timeout, String... topics) {
        Properties p = new Properties();
        p.putAll(client);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        Instant deadline = Instant.now().plus(timeout);
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p);
                Admin admin = Admin.create(client)) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : topics) {
                consumer.partitionsFor(topic, Duration.ofSeconds(10)).forEach(i -> partitions.add(new TopicPartition(topic, i.partition())));
            }
            var end = consumer.endOffsets(partitions);
            String lag = "";
            while (Instant.now().isBefore(deadline)) {
                var committed = admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata().get();
                lag = partitions.stream().filter(tp -> {
                    var om = committed.get(tp);
                    return (om == null ? 0 : om.offset()) < end.get(tp);
                }).map(TopicPartition::toString).collect(Collectors.joining(", "));
                if (lag.isEmpty()) {
                    return;
                }
                sleep(200);
            }
            throw new AssertionError("group " + groupId + " did not consume everything within " + timeout + "; behind on " + lag);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static <T> List<T> filter(List<T> list, Predicate<T> p) {
        return list.stream().filter(p).toList();
    }
}
