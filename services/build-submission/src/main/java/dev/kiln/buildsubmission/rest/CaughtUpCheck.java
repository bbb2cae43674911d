package dev.kiln.buildsubmission.rest;

import dev.kiln.buildsubmission.config.KilnConfig;
import dev.kiln.support.messaging.broker.KafkaClients;
import dev.kiln.support.messaging.broker.KafkaTopics;
import dev.kiln.support.text.Failures;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready only when the hub has caught up with its topics: the records its consumer group has still to read (end offset
 * minus committed offset, over every partition of every topic it consumes) are at most {@code kiln.readiness.max-lag}.
 * After a restart, or when the broker was away, the hub answers HTTP at once but its build records are stale until
 * it has read what happened meanwhile; a load balancer (or {@code ./kiln up}) waits for this. The lag is read at most
 * once a second.
 */
@Readiness
@ApplicationScoped
public class CaughtUpCheck implements HealthCheck {
    private static final String NAME = "caught-up";
    private static final long CACHE_MILLIS = 1000;

    @Inject
    KilnConfig config;

    @Inject
    KafkaClients clients;

    private Admin admin;
    private volatile HealthCheckResponse last;
    private volatile long lastAt;

    @Override
    public synchronized HealthCheckResponse call() {
        long now = System.currentTimeMillis();
        if (last != null && now - lastAt < CACHE_MILLIS) {
            return last;
        }
        last = check();
        lastAt = now;
        return last;
    }

    private HealthCheckResponse check() {
        Config all = ConfigProvider.getConfig();
        long max = config.readiness().maxLag();
        HealthCheckResponseBuilder response = HealthCheckResponse.named(NAME).withData("maxLag", max);
        try {
            Admin a = admin();
            long total = 0;
            for (Map.Entry<String, Set<String>> group : KafkaTopics.consumedTopicsByGroup(all).entrySet()) {
                for (Map.Entry<String, Long> topic : KafkaTopics.lag(a, group.getKey(), group.getValue()).entrySet()) {
                    total += topic.getValue();
                    if (topic.getValue() > 0) {
                        response.withData(topic.getKey(), topic.getValue());
                    }
                }
            }
            response.withData("lag", total);
            return total <= max ? response.up().build() : response.down().build();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return response.down().withData("error", "interrupted").build();
        } catch (Exception e) {
            return response.down().withData("error", "cannot read the consumer lag: " + Failures.message(e)).build();
        }
    }

    private synchronized Admin admin() {
        if (admin == null) {
            admin = clients.admin();
        }
        return admin;
    }

    @PreDestroy
    synchronized void close() {
        if (admin != null) {
            admin.close(java.time.Duration.ofSeconds(2));
        }
    }
}
