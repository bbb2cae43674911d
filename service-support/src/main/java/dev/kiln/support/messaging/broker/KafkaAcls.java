package dev.kiln.support.messaging.broker;

import dev.kiln.events.EventType;
import dev.kiln.events.TopicAccess;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * The broker's ACLs, made from {@link TopicAccess} and nothing else, for a broker whose authorizer denies what no
 * ACL allows. Each service's principal is {@code User:<service>} (the {@code CN} of its certificate, mapped by
 * {@code ssl.principal.mapping.rules}); it may write the topics of the events it produces and the dead-letter topics
 * of the topics it consumes, read the topics it consumes with its own consumer groups, and describe what it uses
 * (the start-up topic check and the readiness lag check). Creating topics is left to the operator's principal. The
 * hub also reads every dead-letter topic and writes every topic, to replay a dead letter where it came from. A QA
 * hook has no ACL until the operator adds it ({@link #hook}); qa reads every hook's topic (by prefix, as does the hub
 * for their dead letters).
 */
public final class KafkaAcls {
    private KafkaAcls() {
    }

    /** The principal of a service. */
    public static String principal(String service) {
        return "User:" + service;
    }

    /** Every ACL the services need, allow entries only. */
    public static List<AclBinding> bindings() {
        List<AclBinding> out = new ArrayList<>();
        for (TopicAccess.Service s : TopicAccess.SERVICES) {
            String who = principal(s.service());
            for (EventType e : s.produces()) {
                topic(out, who, e.topic(), AclOperation.WRITE, AclOperation.DESCRIBE);
            }
            for (EventType e : s.consumes()) {
                topic(out, who, e.topic(), AclOperation.READ, AclOperation.DESCRIBE);
            }
            for (String dlq : s.deadLetterTopics()) {
                topic(out, who, dlq, AclOperation.WRITE, AclOperation.DESCRIBE);
            }
            for (String group : s.groups()) {
                boolean prefix = group.endsWith(TopicAccess.PREFIX);
                ResourcePattern pattern = new ResourcePattern(ResourceType.GROUP,
                        prefix ? group.substring(0, group.length() - TopicAccess.PREFIX.length()) : group,
                        prefix ? PatternType.PREFIXED : PatternType.LITERAL);
                for (AclOperation op : List.of(AclOperation.READ, AclOperation.DESCRIBE, AclOperation.DELETE)) {
                    out.add(allow(pattern, who, op));
                }
            }
            if (s.readsDeadLetters()) {
                for (EventType e : EventType.values()) {
                    topic(out, who, e.topic() + ".dlq", AclOperation.READ, AclOperation.DESCRIBE);
                    topic(out, who, e.topic(), AclOperation.WRITE, AclOperation.DESCRIBE);
                }
            }
        }
        ResourcePattern hookTopics = new ResourcePattern(ResourceType.TOPIC, TopicAccess.HOOK_TOPIC_PREFIX,
                PatternType.PREFIXED);
        for (TopicAccess.Service s : TopicAccess.SERVICES) {
            // the relay reads every hook's topic and writes their dead letters; the hub reads and replays those
            if (s.service().equals(TopicAccess.HOOK_RELAY) || s.readsDeadLetters()) {
                for (AclOperation op : List.of(AclOperation.READ, AclOperation.WRITE, AclOperation.DESCRIBE)) {
                    out.add(allow(hookTopics, principal(s.service()), op));
                }
            }
        }
        return List.copyOf(new LinkedHashSet<>(out));
    }

    /**
     * One QA hook's ACLs ({@code kiln bus hook add}): it writes its own topic and nothing else, and reads the pushed
     * candidates in its own consumer group.
     */
    public static List<AclBinding> hook(TopicAccess.Hook hook) {
        List<AclBinding> out = new ArrayList<>();
        String who = principal(hook.principal());
        topic(out, who, hook.topic(), AclOperation.WRITE, AclOperation.DESCRIBE);
        for (EventType e : TopicAccess.HOOKS_READ) {
            topic(out, who, e.topic(), AclOperation.READ, AclOperation.DESCRIBE);
        }
        ResourcePattern group = new ResourcePattern(ResourceType.GROUP, hook.group(), PatternType.LITERAL);
        out.add(allow(group, who, AclOperation.READ));
        out.add(allow(group, who, AclOperation.DESCRIBE));
        return List.copyOf(out);
    }

    private static void topic(List<AclBinding> out, String who, String topic, AclOperation... ops) {
        ResourcePattern pattern = new ResourcePattern(ResourceType.TOPIC, topic, PatternType.LITERAL);
        for (AclOperation op : ops) {
            out.add(allow(pattern, who, op));
        }
    }

    private static AclBinding allow(ResourcePattern pattern, String who, AclOperation op) {
        return new AclBinding(pattern, new AccessControlEntry(who, "*", op, AclPermissionType.ALLOW));
    }
}
