package dev.kiln.events;

import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Who may write and read each Kiln topic: the one table the broker's ACLs are to be made from (issue "Locked doors",
 * docs/security.md). A service writes only the events it produces, reads only the topics it consumes, with its own
 * consumer group, and writes the dead-letter topic ({@code <topic>.dlq}) of each topic it consumes. The hub also
 * reads every dead-letter topic (without a group) and, to replay one, writes the topic it came from: that is the
 * admin's door, held by the hub's principal. {@code TopicAccessTest} holds this table against every service's
 * {@code application.properties} and every event's producers in the code.
 */
public final class TopicAccess {
    private TopicAccess() {
    }

    /**
     * One service's share of the bus.
     *
     * @param service the service's name, which is also its principal ({@code CN} of its certificate)
     * @param produces the events it sends
     * @param consumes the topics it reads with its consumer group
     * @param groups its consumer groups; one ending in {@link #PREFIX} names the start of a family of groups
     *     (container-build's cancel group per worker)
     * @param readsDeadLetters whether it reads every dead-letter topic (the hub, for {@code kiln admin dlq})
     */
    public record Service(String service, Set<EventType> produces, Set<EventType> consumes, List<String> groups,
            boolean readsDeadLetters) {
        public Service {
            produces = Set.copyOf(produces);
            consumes = Set.copyOf(consumes);
            groups = List.copyOf(groups);
        }

        /** The dead-letter topics it writes: one per topic it consumes. */
        public Set<String> deadLetterTopics() {
            return consumes.stream().map(t -> t.topic() + ".dlq").collect(Collectors.toSet());
        }
    }

    /** A group name ending in this is a prefix: the service's groups start with it. */
    public static final String PREFIX = "*";

    public static final List<Service> SERVICES = List.of(
            new Service("build-submission",
                    EnumSet.of(EventType.BUILD_REQUESTED, EventType.BUILD_CANCEL_REQUESTED, EventType.BUILD_STATE_CHANGED),
                    EnumSet.of(EventType.BUILD_STARTED, EventType.BUILD_LOG, EventType.BUILD_COMPLETED,
                            EventType.BUILD_FAILED, EventType.BUILD_CANCELED, EventType.IMAGE_PUSHED,
                            EventType.QA_RESULT, EventType.IMAGE_SIGNED, EventType.GATING_DECISION,
                            EventType.IMAGE_PROMOTED),
                    List.of("kiln-build-submission"), true),
            new Service("container-build",
                    EnumSet.of(EventType.BUILD_STARTED, EventType.BUILD_LOG, EventType.BUILD_COMPLETED,
                            EventType.BUILD_FAILED, EventType.BUILD_CANCELED),
                    EnumSet.of(EventType.BUILD_REQUESTED, EventType.BUILD_CANCEL_REQUESTED),
                    List.of("kiln-container-build", "kiln-container-build-cancel-" + PREFIX), false),
            new Service("registry-push",
                    EnumSet.of(EventType.IMAGE_PUSHED, EventType.BUILD_FAILED),
                    EnumSet.of(EventType.BUILD_COMPLETED),
                    List.of("kiln-registry-push"), false),
            new Service("qa",
                    EnumSet.of(EventType.QA_RESULT, EventType.BUILD_FAILED),
                    EnumSet.of(EventType.BUILD_REQUESTED, EventType.QA_RESULT, EventType.IMAGE_PUSHED),
                    List.of("kiln-qa"), false),
            new Service("signing",
                    EnumSet.of(EventType.IMAGE_SIGNED, EventType.BUILD_FAILED),
                    EnumSet.of(EventType.IMAGE_PUSHED, EventType.IMAGE_PROMOTED),
                    List.of("kiln-signing"), false),
            new Service("release",
                    EnumSet.of(EventType.GATING_DECISION, EventType.IMAGE_PROMOTED, EventType.BUILD_FAILED),
                    EnumSet.of(EventType.IMAGE_PUSHED, EventType.QA_RESULT, EventType.IMAGE_SIGNED),
                    List.of("kiln-release"), false));

    public static Optional<Service> of(String service) {
        return SERVICES.stream().filter(s -> s.service().equals(service)).findFirst();
    }

    /** The services that may send {@code event}. */
    public static Set<String> producers(EventType event) {
        return SERVICES.stream().filter(s -> s.produces().contains(event)).map(Service::service)
                .collect(Collectors.toSet());
    }

    /** The services that read {@code event}'s topic. */
    public static Set<String> consumers(EventType event) {
        return SERVICES.stream().filter(s -> s.consumes().contains(event)).map(Service::service)
                .collect(Collectors.toSet());
    }
}
