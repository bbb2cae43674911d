package dev.kiln.testsupport;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/**
 * Quarkus test resource: one real KRaft broker per test JVM ({@link KafkaBroker}: mutual TLS and ACLs), shared by every
 * {@code @QuarkusTest} in it. The service under test connects as its own principal, {@code kiln.bus.principal} of
 * its {@code application.properties}, with a certificate from the broker's CA, so each module's tests run under the
 * ACLs the service has in production. Dev Services stay off (they would pull images).
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
        Map<String, String> config = new HashMap<>(broker().serviceConfig(principal()));
        config.put("quarkus.devservices.enabled", "false");
        config.put("quarkus.kafka.devservices.enabled", "false");
        return config;
    }

    /** The service's principal, from {@code kiln.bus.principal} in the application.properties under test. */
    static String principal() {
        try (InputStream in = Thread.currentThread().getContextClassLoader().getResourceAsStream("application.properties")) {
            Properties p = new Properties();
            if (in != null) {
                p.load(in);
            }
            String principal = p.getProperty("kiln.bus.principal");
            if (principal == null || principal.isBlank()) {
                throw new IllegalStateException("the service under test names no kiln.bus.principal in its"
                        + " application.properties: the test broker cannot tell whose certificate it connects with");
            }
            return principal.strip();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read application.properties: " + e.getMessage(), e);
        }
    }

    @Override
    public void stop() {
        // kept for the next test class in this JVM; closed at JVM exit
    }
}
