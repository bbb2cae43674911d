package dev.kiln.support.messaging.broker;

import dev.kiln.support.messaging.MessagingConfig;
import io.smallrye.reactive.messaging.ClientCustomizer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Map;
import org.eclipse.microprofile.config.Config;
import org.jboss.logging.Logger;

/**
 * How every Kafka consumer of a Kiln service joins its group, set in one place for all channels (a SmallRye client
 * customizer, applied after the channel's own settings):
 * <ul>
 * <li>with {@code kiln.messaging.instance-id} set, as a static member: {@code group.instance.id} is
 * {@code <instance-id>-<client.id>} (unique per channel and per consumer of a channel). A restarted instance rejoins
 * under the same id and gets its partitions back without waiting for the old member's session to expire and
 * without a rebalance of the others;</li>
 * <li>{@code session.timeout.ms} from {@code kiln.messaging.session-timeout} (10 s) unless the channel sets its own
 * (container-build's build channel keeps 45 s: a live worker evicted by a long pause would have its running build
 * built twice), with {@code heartbeat.interval.ms} a third of it at most;</li>
 * <li>{@code reconnect.backoff.max.ms} of 1 s unless the channel sets its own (SmallRye's default is 10 s): after a
 * broker restart a consumer is back within a second of the broker, not ten.</li>
 * </ul>
 * Producers are left alone.
 */
@ApplicationScoped
public class ConsumerMembership implements ClientCustomizer<Map<String, Object>> {
    private static final Logger LOG = Logger.getLogger(ConsumerMembership.class);
    static final String GROUP_ID = "group.id";
    static final String GROUP_INSTANCE_ID = "group.instance.id";
    static final String SESSION_TIMEOUT = "session.timeout.ms";
    static final String HEARTBEAT_INTERVAL = "heartbeat.interval.ms";
    static final String CLIENT_ID = "client.id";
    static final String RECONNECT_BACKOFF_MAX = "reconnect.backoff.max.ms";

    @Inject
    MessagingConfig config;

    @Override
    public Map<String, Object> customize(String channel, Config channelConfig, Map<String, Object> kafka) {
        boolean ownBackoff = channelConfig.getOptionalValue(RECONNECT_BACKOFF_MAX, String.class).isPresent();
        return apply(channel, kafka, config, ownBackoff);
    }

    static Map<String, Object> apply(String channel, Map<String, Object> kafka, MessagingConfig config) {
        return apply(channel, kafka, config, false);
    }

    /**
     * The settings above applied to one client's configuration {@code kafka} (changed in place and returned);
     * {@code ownBackoff}: the channel configures {@code reconnect.backoff.max.ms} itself.
     */
    static Map<String, Object> apply(String channel, Map<String, Object> kafka, MessagingConfig config,
            boolean ownBackoff) {
        if (!kafka.containsKey(GROUP_ID)) {
            return kafka; // a producer
        }
        if (!ownBackoff) {
            kafka.put(RECONNECT_BACKOFF_MAX, "1000");
        }
        config.instanceId().filter(id -> !id.isBlank()).ifPresent(id -> {
            if (!kafka.containsKey(GROUP_INSTANCE_ID)) {
                Object client = kafka.getOrDefault(CLIENT_ID, channel);
                String instance = (id + "-" + client).replaceAll("[^A-Za-z0-9._-]", "-");
                kafka.put(GROUP_INSTANCE_ID, instance);
                LOG.debugf("channel %s joins group %s as static member %s", channel, kafka.get(GROUP_ID), instance);
            }
        });
        if (!kafka.containsKey(SESSION_TIMEOUT)) {
            kafka.put(SESSION_TIMEOUT, Long.toString(config.sessionTimeout().toMillis()));
        }
        long session = Long.parseLong(kafka.get(SESSION_TIMEOUT).toString());
        long heartbeat = kafka.containsKey(HEARTBEAT_INTERVAL) ? Long.parseLong(kafka.get(HEARTBEAT_INTERVAL).toString())
                : 3000;
        if (heartbeat > session / 3) {
            kafka.put(HEARTBEAT_INTERVAL, Long.toString(Math.max(1, session / 3)));
        } else if (!kafka.containsKey(HEARTBEAT_INTERVAL)) {
            kafka.put(HEARTBEAT_INTERVAL, Long.toString(heartbeat));
        }
        return kafka;
    }
}
