package dev.kiln.support.messaging.broker;

import dev.kiln.support.messaging.MessagingConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ConsumerMembershipTest {

    @Test
    void aNamedInstanceJoinsEachGroupAsAStaticMemberUniquePerClient() {
        Map<String, Object> first = consumer("kafka-consumer-build-completed");
        Map<String, Object> second = consumer("kafka-consumer-build-completed-1");
        ConsumerMembership.apply("build-completed", first, config(Optional.of("registry-push@host-a")));
        ConsumerMembership.apply("build-completed", second, config(Optional.of("registry-push@host-a")));
        assertEquals("registry-push-host-a-kafka-consumer-build-completed", first.get("group.instance.id"));
        assertEquals("registry-push-host-a-kafka-consumer-build-completed-1", second.get("group.instance.id"));
    }

    @Test
    void withoutAnInstanceIdMembershipStaysDynamic() {
        Map<String, Object> kafka = consumer("c");
        ConsumerMembership.apply("ch", kafka, config(Optional.empty()));
        assertFalse(kafka.containsKey("group.instance.id"));
        assertEquals("10000", kafka.get("session.timeout.ms"));
        assertEquals("3000", kafka.get("heartbeat.interval.ms"));
        assertEquals("1000", kafka.get("reconnect.backoff.max.ms"), "back within a second of the broker");
    }

    @Test
    void aChannelsOwnSettingsWinAndTheHeartbeatStaysBelowAThirdOfTheSession() {
        Map<String, Object> kafka = consumer("c");
        kafka.put("session.timeout.ms", "45000");
        kafka.put("group.instance.id", "chosen");
        ConsumerMembership.apply("ch", kafka, config(Optional.of("x")));
        assertEquals("45000", kafka.get("session.timeout.ms"));
        assertEquals("chosen", kafka.get("group.instance.id"));

        Map<String, Object> short_ = consumer("c");
        short_.put("session.timeout.ms", "6000");
        short_.put("heartbeat.interval.ms", "3000");
        ConsumerMembership.apply("ch", short_, config(Optional.empty()));
        assertEquals("2000", short_.get("heartbeat.interval.ms"));
    }

    @Test
    void producersAreLeftAlone() {
        Map<String, Object> producer = new HashMap<>(Map.of("client.id", "kafka-producer-kiln-events"));
        ConsumerMembership.apply("kiln-events", producer, config(Optional.of("x")));
        assertEquals(Map.of("client.id", "kafka-producer-kiln-events"), producer);
    }

    private static Map<String, Object> consumer(String clientId) {
        return new HashMap<>(Map.of("group.id", "kiln-registry-push", "client.id", clientId));
    }

    private static MessagingConfig config(Optional<String> instanceId) {
        return new MessagingConfig() {
            @Override
            public Optional<String> service() {
                return Optional.of("test");
            }

            @Override
            public Optional<String> outboxTable() {
                return Optional.empty();
            }

            @Override
            public Optional<String> instanceId() {
                return instanceId;
            }

            @Override
            public Duration sessionTimeout() {
                return Duration.ofSeconds(10);
            }

            @Override
            public int expectedInstances() {
                return 1;
            }

            @Override
            public Retry retry() {
                throw new UnsupportedOperationException();
            }
        };
    }
}
