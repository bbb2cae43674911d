package dev.kiln.support.messaging.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.events.TopicAccess;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;

/** The ACLs made from the access table: what each principal may do, and what it may not. */
class KafkaAclsTest {
    private static final List<AclBinding> ACLS = KafkaAcls.bindings();

    private static boolean allows(String service, ResourceType type, String name, AclOperation op) {
        return allows(ACLS, service, type, name, op);
    }

    /** As the broker decides: an allow entry for the principal (none is for every principal). */
    private static boolean allows(List<AclBinding> acls, String service, ResourceType type, String name,
            AclOperation op) {
        return acls.stream().anyMatch(b -> b.entry().principal().equals(KafkaAcls.principal(service))
                && b.entry().operation() == op && b.entry().permissionType() == AclPermissionType.ALLOW
                && b.pattern().resourceType() == type
                && (b.pattern().patternType() == PatternType.PREFIXED ? name.startsWith(b.pattern().name())
                        : name.equals(b.pattern().name())));
    }

    @Test
    void eachTopicIsWrittenOnlyByItsProducers() {
        assertTrue(allows("release", ResourceType.TOPIC, "kiln.image.promoted", AclOperation.WRITE));
        assertFalse(allows("qa", ResourceType.TOPIC, "kiln.image.promoted", AclOperation.WRITE));
        assertFalse(allows("qa", ResourceType.TOPIC, "kiln.gating.decision", AclOperation.WRITE));
        assertFalse(allows("release", ResourceType.TOPIC, "kiln.image.signed", AclOperation.WRITE));
        assertFalse(allows("container-build", ResourceType.TOPIC, "kiln.qa.result", AclOperation.WRITE));
        assertTrue(allows("qa", ResourceType.TOPIC, "kiln.qa.result", AclOperation.WRITE));
    }

    @Test
    void consumersReadTheirTopicsWithTheirGroupsAndFeedTheirDeadLetters() {
        assertTrue(allows("signing", ResourceType.TOPIC, "kiln.image.pushed", AclOperation.READ));
        assertTrue(allows("signing", ResourceType.GROUP, "kiln-signing", AclOperation.READ));
        assertFalse(allows("signing", ResourceType.GROUP, "kiln-release", AclOperation.READ));
        assertFalse(allows("signing", ResourceType.TOPIC, "kiln.qa.result", AclOperation.READ));
        assertTrue(allows("signing", ResourceType.TOPIC, "kiln.image.pushed.dlq", AclOperation.WRITE));
        assertFalse(allows("signing", ResourceType.TOPIC, "kiln.image.pushed.dlq", AclOperation.READ));
        assertTrue(allows("container-build", ResourceType.GROUP, "kiln-container-build-cancel-worker-7",
                AclOperation.READ), "the per-worker cancel groups, by prefix");
    }

    @Test
    void onlyTheHubReadsDeadLettersAndNobodyCreatesTopics() {
        assertTrue(allows("build-submission", ResourceType.TOPIC, "kiln.image.pushed.dlq", AclOperation.READ));
        for (AclBinding b : ACLS) {
            assertFalse(b.entry().operation() == AclOperation.CREATE || b.entry().operation() == AclOperation.ALL
                    || b.entry().operation() == AclOperation.ALTER, b.toString());
            assertEquals(AclPermissionType.ALLOW, b.entry().permissionType());
        }
    }

    @Test
    void aHookWritesOnlyItsOwnTopicAndReadsPushedImagesInItsOwnGroup() {
        TopicAccess.Hook acme = new TopicAccess.Hook("acme");
        List<AclBinding> all = new ArrayList<>(ACLS);
        all.addAll(KafkaAcls.hook(acme));
        all.addAll(KafkaAcls.hook(new TopicAccess.Hook("other")));
        assertTrue(allows(all, "hook-acme", ResourceType.TOPIC, "kiln.qa.hook.acme", AclOperation.WRITE));
        assertFalse(allows(all, "hook-acme", ResourceType.TOPIC, "kiln.qa.hook.other", AclOperation.WRITE));
        assertFalse(allows(all, "hook-acme", ResourceType.TOPIC, "kiln.qa.result", AclOperation.WRITE));
        assertFalse(allows(all, "hook-acme", ResourceType.TOPIC, "kiln.qa.hook.acme", AclOperation.READ));
        assertTrue(allows(all, "hook-acme", ResourceType.TOPIC, "kiln.image.pushed", AclOperation.READ));
        assertTrue(allows(all, "hook-acme", ResourceType.GROUP, "kiln-hook-acme", AclOperation.READ));
        assertFalse(allows(all, "hook-acme", ResourceType.GROUP, "kiln-hook-other", AclOperation.READ));
        assertFalse(allows(all, "hook-acme", ResourceType.GROUP, "kiln-qa", AclOperation.READ));
        assertFalse(allows(all, "hook-acme", ResourceType.TOPIC, "kiln.image.signed", AclOperation.READ));
        assertFalse(allows(ACLS, "hook-acme", ResourceType.TOPIC, "kiln.image.pushed", AclOperation.READ),
                "a hook the operator has not added may do nothing");
    }

    @Test
    void qaReadsEveryHookTopicAndTheHubItsDeadLetters() {
        assertTrue(allows("qa", ResourceType.TOPIC, "kiln.qa.hook.acme", AclOperation.READ));
        assertTrue(allows("qa", ResourceType.TOPIC, "kiln.qa.hook.acme.dlq", AclOperation.WRITE));
        assertTrue(allows("build-submission", ResourceType.TOPIC, "kiln.qa.hook.acme.dlq", AclOperation.READ));
        assertFalse(allows("release", ResourceType.TOPIC, "kiln.qa.hook.acme", AclOperation.READ));
        assertFalse(allows("signing", ResourceType.TOPIC, "kiln.qa.hook.acme", AclOperation.WRITE));
    }
}
