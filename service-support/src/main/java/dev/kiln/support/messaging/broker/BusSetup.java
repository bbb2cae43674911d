package dev.kiln.support.messaging.broker;

import dev.kiln.events.EventType;
import dev.kiln.events.TopicAccess;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.errors.TopicExistsException;
import org.jboss.logging.Logger;

/**
 * What the operator's principal makes on the broker before Kiln's services start: every event topic and its
 * dead-letter topic, and the ACLs of {@link KafkaAcls} (the services may create neither); and, one by one, the QA
 * hooks it lets in. Safe to run again: topics that
 * exist keep their partitions, ACLs that exist stay. Run by {@code kiln bus setup}, by {@code ./kiln up} and by the
 * test broker.
 */
public final class BusSetup {
    private static final Logger LOG = Logger.getLogger(BusSetup.class);

    private static final long TIMEOUT = KafkaClients.TIMEOUT.toSeconds();

    private BusSetup() {
    }

    /** Every Kiln topic: each event's and its {@code .dlq}. */
    public static Set<String> topics() {
        Set<String> out = new TreeSet<>();
        for (EventType type : EventType.values()) {
            out.add(type.topic());
            out.add(type.deadLetterTopic());
        }
        return out;
    }

    /** Makes the missing topics with {@code partitions} partitions and creates every ACL; answers the topics made. */
    public static List<String> apply(Admin admin, int partitions)
            throws ExecutionException, InterruptedException, TimeoutException {
        List<String> made = create(admin, topics(), partitions);
        admin.createAcls(KafkaAcls.bindings()).all().get(TIMEOUT, TimeUnit.SECONDS);
        return made;
    }

    /**
     * Lets a QA hook in: makes its topic and that topic's dead-letter topic where missing and creates its ACLs
     * ({@link KafkaAcls#hook}); answers the topics made. Safe to run again.
     */
    public static List<String> addHook(Admin admin, TopicAccess.Hook hook, int partitions)
            throws ExecutionException, InterruptedException, TimeoutException {
        List<String> made = create(admin, Set.of(hook.topic(), hook.deadLetterTopic()), partitions);
        admin.createAcls(KafkaAcls.hook(hook)).all().get(TIMEOUT, TimeUnit.SECONDS);
        return made;
    }

    /**
     * Shuts a QA hook out: deletes its ACLs, so its certificate may do nothing on the bus; its topics stay, with the
     * results it sent. Answers how many ACLs were deleted.
     */
    public static int removeHook(Admin admin, TopicAccess.Hook hook)
            throws ExecutionException, InterruptedException, TimeoutException {
        List<AclBindingFilter> filters = KafkaAcls.hook(hook).stream().map(AclBinding::toFilter).toList();
        return admin.deleteAcls(filters).all().get(TIMEOUT, TimeUnit.SECONDS).size();
    }

    private static List<String> create(Admin admin, Set<String> topics, int partitions)
            throws ExecutionException, InterruptedException, TimeoutException {
        Set<String> existing = admin.listTopics().names().get(TIMEOUT, TimeUnit.SECONDS);
        List<NewTopic> missing = new ArrayList<>();
        for (String topic : new TreeSet<>(topics)) {
            if (!existing.contains(topic)) {
                missing.add(new NewTopic(topic, Optional.of(partitions), Optional.empty()));
            }
        }
        List<String> made = new ArrayList<>();
        for (var created : admin.createTopics(missing).values().entrySet()) {
            try {
                created.getValue().get(TIMEOUT, TimeUnit.SECONDS);
                LOG.infof("created topic %s with %d partitions", created.getKey(), partitions);
                made.add(created.getKey());
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
        }
        return made;
    }
}
