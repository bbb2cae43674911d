package dev.kiln.events;

import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
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

    /** The broker's own principal; a super user (it connects to its own KRaft controller). */
    public static final String BROKER = "kiln-kafka";

    /** The operator's principal, the other super user: it alone makes topics and ACLs. */
    public static final String OPERATOR = "kiln-admin";

    /**
     * A QA hook outside Kiln, named by the operator ({@code kiln bus hook add NAME}): its certificate's common name is
     * {@code hook-<name>}; it reads the pushed candidates ({@link #HOOKS_READ}) in its own consumer group
     * {@code kiln-hook-<name>} and writes its results to its own topic {@code kiln.qa.hook.<name>}, which only it may
     * write. qa ({@link #HOOK_RELAY}) reads every hook topic and sends each result on as {@code kiln.qa.result} with
     * the hook's name as reporter, taken from the topic, never from the record.
     */
    public record Hook(String name) {
        public Hook {
            if (name == null || name.length() > 48 || !HOOK_NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("a hook name is 1 to 48 lower-case letters and digits, in words"
                        + " joined by single hyphens (e.g. acme-scan)");
            }
        }

        /** Its principal, {@code User:} of its certificate's common name. */
        public String principal() {
            return HOOK_PRINCIPAL_PREFIX + name;
        }

        /** The topic it sends its results to. */
        public String topic() {
            return HOOK_TOPIC_PREFIX + name;
        }

        /** Where qa puts the results of {@link #topic()} it cannot take (malformed, reserved test case, ...). */
        public String deadLetterTopic() {
            return topic() + ".dlq";
        }

        /** Its consumer group for {@link #HOOKS_READ}. */
        public String group() {
            return HOOK_GROUP_PREFIX + name;
        }

        /** The hook whose topic {@code topic} is, if it is one (not a dead-letter topic). */
        public static Optional<Hook> ofTopic(String topic) {
            if (topic == null || !topic.startsWith(HOOK_TOPIC_PREFIX)) {
                return Optional.empty();
            }
            try {
                return Optional.of(new Hook(topic.substring(HOOK_TOPIC_PREFIX.length())));
            } catch (IllegalArgumentException e) {
                return Optional.empty(); // a hook's dead-letter topic, or no hook's at all
            }
        }
    }

    /** A hook's name: words of lower-case letters and digits joined by single hyphens (so no {@code .dlq}). */
    public static final Pattern HOOK_NAME = Pattern.compile("[a-z0-9]+(-[a-z0-9]+)*");

    /** The start of every hook's topic and of its dead-letter topic. */
    public static final String HOOK_TOPIC_PREFIX = "kiln.qa.hook.";

    /** The start of a hook's principal ({@code hook-<name>}). */
    public static final String HOOK_PRINCIPAL_PREFIX = "hook-";

    /** The start of a hook's consumer group ({@code kiln-hook-<name>}). */
    public static final String HOOK_GROUP_PREFIX = "kiln-hook-";

    /** What a hook reads: the pushed candidates. */
    public static final Set<EventType> HOOKS_READ = Set.of(EventType.IMAGE_PUSHED);

    /** The service that reads every hook's topic (by pattern, in its group) and writes their dead-letter topics. */
    public static final String HOOK_RELAY = "qa";

    /** The pattern the relay subscribes to: every hook topic, no dead-letter topic. */
    public static final String HOOK_TOPIC_PATTERN = "kiln\\.qa\\.hook\\.[a-z0-9]+(-[a-z0-9]+)*";

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
                    EnumSet.of(EventType.BUILD_REQUESTED, EventType.IMAGE_PUSHED),
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
