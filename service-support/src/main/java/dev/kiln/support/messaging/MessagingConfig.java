package dev.kiln.support.messaging;

import dev.kiln.support.messaging.broker.KafkaTopics;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/** {@code kiln.messaging.*}: the settings of the shared messaging template, the same spelling in every service. */
@ConfigMapping(prefix = "kiln.messaging")
public interface MessagingConfig {
    /** The service's name: CloudEvents source {@code /kiln/<name>}, the consumer named in its dead letters. */
    Optional<String> service();

    /** The transactional outbox table ({@code schema.table}) the relay sends from; none: no relay. */
    Optional<String> outboxTable();

    /**
     * This instance's stable name (a pod name, {@code <service>@<host>}, a worker id): with it every consumer joins its
     * group as a static member ({@code group.instance.id = <instance-id>-<client.id>}), so an instance restarted under
     * the same name gets its partitions back at once instead of after the dead member's session timeout. Two running
     * instances must never share it (the broker fences the older one). Unset: dynamic membership.
     */
    Optional<String> instanceId();

    /**
     * {@code session.timeout.ms} of every consumer that does not set its own: how long a member that stopped
     * heartbeating (killed, machine lost, or a static member that shut down) keeps its partitions before they move
     * to the others.
     */
    @WithDefault("PT10S")
    Duration sessionTimeout();

    /**
     * How many instances of this service are expected to consume at once; a consumed topic whose partitions are not a
     * multiple of it is reported at start ({@link KafkaTopics}).
     */
    @WithDefault("1")
    int expectedInstances();

    /** The one retry policy ({@link RetryPolicy}). */
    Retry retry();

    interface Retry {
        /** The first pause after a transient failure. */
        @WithDefault("PT0.5S")
        Duration initialDelay();

        /** The longest pause: backoff doubles up to it. */
        @WithDefault("PT30S")
        Duration maxDelay();

        /** How often an unclassified failure is tried before it counts as permanent. */
        @WithDefault("3")
        int unexpectedAttempts();

        /**
         * How often work that somebody waits for (a REST request: a manual promotion's copy, say) is tried when it
         * fails transiently, before the caller is told; work of a consumed event is retried without such a bound.
         */
        @WithDefault("3")
        int attempts();

        /**
         * How long work may keep failing transiently on a resource that belongs to one build alone (the builder daemon
         * that holds its image, its parent image's registry) before that build ends with the transient reason; shared
         * infrastructure is waited for without a limit.
         */
        @WithDefault("PT15M")
        Duration giveUpAfter();
    }
}
