package dev.kiln.testsupport;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * Quarkus test resource: one real KRaft broker per test JVM, shared by every {@code @QuarkusTest} in it.
 * Sets {@code kafka.bootstrap.servers}; Dev Services stay off (they would pull images).
 */
public class KafkaResource implements QuarkusTestResourceLifecycleManager {
    private static KafkaBroker broker;

    public static synchronized KafkaBroker broker() {
        if (broker == null) {
            broker = KafkaBroker.startEphemeral();
            Runtime.getRuntime().addShutdownHook(new Thread(broker::close));
        }
        return broker;
    }

    @Override
    public Map<String, String> start() {
        return Map.of("kafka.bootstrap.servers", broker().bootstrapServers(),
                "quarkus.devservices.enabled", "false",
                "quarkus.kafka.devservices.enabled", "false");
    }

    @Override
    public void stop() {
        // kept for the next test class in this JVM; closed at JVM exit
    }
}
