package dev.kiln.e2e;

import static dev.kiln.e2e.KilnStack.JSON;
import static dev.kiln.e2e.KilnStack.cli;
import static dev.kiln.e2e.KilnStack.cliAs;
import static dev.kiln.e2e.KilnStack.logs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.e2e.KilnStack.CliResult;
import dev.kiln.events.CloudEventHeaders;
import dev.kiln.events.EventType;
import dev.kiln.testsupport.KafkaBroker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Dead letters through the packaged CLI and hub: an unreadable kiln.image.pushed record is refused by each of its
 * four consumers (the hub, qa, signing, release), and {@code kiln admin dlq} lists, shows and replays what they left.
 */
@Tag("e2e")
@ExtendWith(KilnStack.Extension.class)
class DeadLettersE2ETest {
    @Test
    void everyConsumerThatRefusedAPoisonRecordLeavesADeadLetterAnAdminCanReadAndReplay() throws Exception {
        String key = "poison-" + UUID.randomUUID();
        String ceId = UUID.randomUUID().toString();
        send(EventType.IMAGE_PUSHED.topic(), key, "{\"buildId\": 42", ceId);

        List<JsonNode> mine = awaitDeadLetters(key, 4);
        Set<String> consumers = new TreeSet<>();
        mine.forEach(d -> consumers.add(d.path("consumer").asText()));
        assertEquals(Set.of("build-submission/image-pushed", "qa/image-pushed", "release/image-pushed", "signing/image-pushed"),
                consumers,
                "one dead letter per consumer that refused it: " + mine);

        String id = mine.get(0).path("id").asText();
        CliResult show = cli("admin", "dlq", "show", id);
        assertEquals(0, show.exit(), show.toString());
        assertTrue(show.stdout().contains("Topic:       kiln.image.pushed"), show.stdout());
        assertTrue(show.stdout().contains("malformed dev.kiln.image.pushed.v1 event"), show.stdout());
        assertTrue(show.stdout().contains("ce_id: " + ceId), show.stdout());
        assertTrue(show.stdout().contains("{\"buildId\": 42"), show.stdout());

        CliResult replay = cli("admin", "dlq", "replay", id);
        assertEquals(0, replay.exit(), replay.toString());
        assertTrue(replay.stdout().contains("Replayed " + id + " onto kiln.image.pushed"), replay.stdout());
        // still unreadable: the four consumers refuse the replayed record again
        awaitDeadLetters(key, 8);
        CliResult again = cli("admin", "dlq", "replay", id);
        assertEquals(4, again.exit(), "a second replay needs --force: " + again);
        assertTrue(again.stderr().contains("--force") || again.stderr().contains("force"), again.stderr());

        CliResult list = cli("admin", "dlq", "list", "--topic", "kiln.image.pushed");
        assertEquals(0, list.exit(), list.toString());
        assertTrue(list.stdout().lines().anyMatch(l -> l.startsWith(id) && l.contains(" yes ")), list.stdout());

        CliResult stranger = cliAs("kiln_not-a-token", "admin", "dlq", "list");
        assertEquals(6, stranger.exit(), stranger.toString());
    }

    /** Waits until at least {@code count} dead letters with {@code key} as build are listed. */
    private static List<JsonNode> awaitDeadLetters(String key, int count) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(90));
        List<JsonNode> mine = new ArrayList<>();
        while (Instant.now().isBefore(deadline)) {
            CliResult r = cli("admin", "dlq", "list", "--topic", "kiln.image.pushed", "-o", "json");
            assertEquals(0, r.exit(), r.toString());
            mine.clear();
            for (JsonNode d : JSON.readTree(r.stdout())) {
                if (key.equals(d.path("buildId").asText())) {
                    mine.add(d);
                }
            }
            if (mine.size() >= count) {
                return mine;
            }
            Thread.sleep(1000);
        }
        throw new AssertionError("expected " + count + " dead letters for " + key + ", got " + mine + "\n" + logs());
    }

    private static void send(String topic, String key, String value, String ceId) throws Exception {
        Properties p = new Properties();
        p.putAll(KilnStack.kafka.clientProperties(KafkaBroker.ADMIN));
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            ProducerRecord<String, String> r = new ProducerRecord<>(topic, key, value);
            r.headers().add(CloudEventHeaders.ID, ceId.getBytes(StandardCharsets.UTF_8));
            r.headers().add(CloudEventHeaders.TYPE, EventType.IMAGE_PUSHED.ceType().getBytes(StandardCharsets.UTF_8));
            producer.send(r).get(30, TimeUnit.SECONDS);
        }
    }
}
