package dev.kiln.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.events.EventType;
import dev.kiln.support.tls.CertificateAuthority;
import dev.kiln.testsupport.KafkaBroker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The bus's door on the running stack (docs/security.md): the broker takes only clients with a certificate from Kiln's
 * CA, and each principal only what Kiln's access table gives it. Every forged event below is refused, and the topic
 * it was aimed at holds exactly what it held before.
 */
@Tag("e2e")
@ExtendWith(KilnStack.Extension.class)
class BusDoorsE2ETest {
    private static final String FORGED_DECISION = "{\"buildId\":\"forged\",\"satisfied\":true}";

    @Test
    void aClientWithoutACertificateIsRefused() throws Exception {
        Map<String, Object> noCertificate = new HashMap<>(operator());
        noCertificate.remove("ssl.keystore.type");
        noCertificate.remove("ssl.keystore.location");
        assertRefused(noCertificate, EventType.GATING_DECISION.topic(), SslAuthenticationException.class);

        Map<String, Object> plaintext = Map.of("bootstrap.servers", KilnStack.kafka.bootstrapServers());
        assertRefused(plaintext, EventType.GATING_DECISION.topic(), KafkaException.class);
    }

    @Test
    void aCertificateFromAnotherCaIsRefused() throws Exception {
        Path dir = Files.createTempDirectory("kiln-intruder-");
        CertificateAuthority.create("Not Kiln's CA", Duration.ofDays(1)).issueClient("release", Duration.ofDays(1))
                .writeTo(dir);
        Map<String, Object> intruder = KafkaBroker.clientProperties(KilnStack.kafka.bootstrapServers(), dir);
        // it trusts the broker (Kiln's CA), but the broker does not trust it, whatever name it claims
        intruder.put("ssl.truststore.location", operator().get("ssl.truststore.location"));
        assertRefused(intruder, EventType.GATING_DECISION.topic(), SslAuthenticationException.class);
    }

    @Test
    void qaMayNotSendWhatReleaseAndSigningSend() throws Exception {
        Map<String, Object> qa = KilnStack.kafka.clientProperties("qa");
        for (EventType event : List.of(EventType.IMAGE_PROMOTED, EventType.GATING_DECISION, EventType.IMAGE_SIGNED)) {
            assertRefused(qa, event.topic(), TopicAuthorizationException.class);
        }
    }

    @Test
    void aHookMayNotReportAsKilnQaOnTheBus() throws Exception {
        // a hook's own principal, from Kiln's CA: kiln.qa.result is qa's alone
        assertRefused(KilnStack.kafka.clientProperties("hook-acme"), EventType.QA_RESULT.topic(),
                TopicAuthorizationException.class);
    }

    @Test
    void aServiceReadsOnlyItsTopicsWithItsOwnGroupAndMakesNoTopicsOrAcls() throws Exception {
        Map<String, Object> qa = new HashMap<>(KilnStack.kafka.clientProperties("qa"));
        // another service's consumer group
        assertInstanceOf(GroupAuthorizationException.class, poll(qa, "kiln-release", EventType.IMAGE_PUSHED.topic()));
        // a topic qa does not consume
        assertInstanceOf(TopicAuthorizationException.class, poll(qa, "kiln-qa", EventType.IMAGE_SIGNED.topic()));
        try (Admin admin = Admin.create(qa)) {
            ExecutionException e = assertThrows(ExecutionException.class, () -> admin.createTopics(
                    List.of(new NewTopic("kiln.intruder", 1, (short) 1))).all().get(30, TimeUnit.SECONDS));
            assertInstanceOf(AuthorizationException.class, e.getCause());
        }
        try (Admin admin = Admin.create(operator())) {
            assertTrue(!admin.listTopics().names().get(30, TimeUnit.SECONDS).contains("kiln.intruder"));
        }
    }

    /** Sends a forged record to {@code topic} as {@code client}; asserts it fails with {@code expected} and the topic is unchanged. */
    private static void assertRefused(Map<String, Object> client, String topic, Class<? extends Exception> expected)
            throws Exception {
        long before = endOffsets(topic);
        Map<String, Object> p = new HashMap<>(client);
        p.put("max.block.ms", "8000");
        p.put("delivery.timeout.ms", "8000");
        p.put("request.timeout.ms", "5000");
        p.put("retries", "0");
        Exception failure = null;
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            ProducerRecord<String, String> record = new ProducerRecord<>(topic, "forged", FORGED_DECISION);
            record.headers().add("ce_type", "dev.kiln.forged".getBytes(StandardCharsets.UTF_8));
            producer.send(record).get(20, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            failure = (Exception) e.getCause();
        } catch (KafkaException e) {
            failure = e;
        }
        assertTrue(failure != null, "the broker took a forged record on " + topic);
        assertTrue(expected.isInstance(failure), "refused with " + failure + ", expected " + expected.getSimpleName());
        assertEquals(before, endOffsets(topic), "nothing was added to " + topic);
    }

    /** What a consumer of {@code topic} in {@code group} as {@code client} gets: the exception it is refused with. */
    private static Exception poll(Map<String, Object> client, String group, String topic) {
        Map<String, Object> c = new HashMap<>(client);
        c.put("group.id", group);
        c.put("group.instance.id", "intruder-" + UUID.randomUUID());
        c.put("auto.offset.reset", "earliest");
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(c, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(500));
            }
            return null;
        } catch (KafkaException e) {
            return e;
        }
    }

    private static Map<String, Object> operator() {
        return KilnStack.kafka.clientProperties(KafkaBroker.ADMIN);
    }

    /** The sum of {@code topic}'s end offsets, read as the operator. */
    private static long endOffsets(String topic) throws Exception {
        try (Admin admin = Admin.create(operator())) {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic).partitions()
                    .forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
            return admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).values().stream()
                    .mapToLong(i -> i.offset()).sum();
        }
    }
}
