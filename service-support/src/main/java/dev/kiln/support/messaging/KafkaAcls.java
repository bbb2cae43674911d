package dev.kiln.support.messaging;

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
 * hub also reads every dead-letter topic and writes every topic, to replay a dead letter where it came from.
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
        return List.copyOf(new LinkedHashSet<>(out));
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
