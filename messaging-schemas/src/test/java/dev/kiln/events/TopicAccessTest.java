package dev.kiln.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The access table against the code it describes: every service's consumed topics and groups as its
 * application.properties configures them, and every event's producers as the code constructs it (or, for
 * {@code build.failed}, as the consumer template sends it for a consumer that owns a stage).
 */
class TopicAccessTest {
    private static final Path SERVICES = Path.of("..", "services");
    private static final Pattern STAGED_CONSUMER = Pattern.compile("consume\\([^;]*Stage\\.[A-Z_]+", Pattern.DOTALL);

    @Test
    void everyServiceIsInTheTable() throws IOException {
        try (Stream<Path> dirs = Files.list(SERVICES)) {
            Set<String> services = dirs.filter(Files::isDirectory).map(p -> p.getFileName().toString())
                    .collect(Collectors.toCollection(TreeSet::new));
            assertEquals(services, TopicAccess.SERVICES.stream().map(TopicAccess.Service::service)
                    .collect(Collectors.toCollection(TreeSet::new)));
        }
    }

    @Test
    void consumedTopicsAndGroupsAreTheConfiguredOnes() throws IOException {
        for (TopicAccess.Service s : TopicAccess.SERVICES) {
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(SERVICES.resolve(s.service())
                    .resolve("src/main/resources/application.properties"))) {
                p.load(r);
            }
            Set<String> topics = new TreeSet<>();
            Set<String> patterns = new TreeSet<>();
            Set<String> groups = new TreeSet<>();
            for (String key : p.stringPropertyNames()) {
                if (key.startsWith("mp.messaging.incoming.") && key.endsWith(".topic")) {
                    String channel = key.substring(0, key.length() - ".topic".length());
                    boolean pattern = Boolean.parseBoolean(p.getProperty(channel + ".pattern", "false"));
                    (pattern ? patterns : topics).add(p.getProperty(key));
                }
                if (key.startsWith("mp.messaging.incoming.") && key.endsWith(".group.id")) {
                    groups.add(p.getProperty(key).replace("${kiln.worker-id}", TopicAccess.PREFIX));
                }
            }
            assertEquals(s.consumes().stream().map(EventType::topic).collect(Collectors.toCollection(TreeSet::new)),
                    topics, s.service() + " consumes");
            assertEquals(new TreeSet<>(s.groups()), groups, s.service() + "'s groups");
            assertEquals(s.service().equals(TopicAccess.HOOK_RELAY) ? Set.of(TopicAccess.HOOK_TOPIC_PATTERN) : Set.of(),
                    patterns, s.service() + " subscribes by pattern");
        }
    }

    @Test
    void theRelayReadsEveryHookTopicAndNoDeadLetterTopic() {
        Pattern relay = Pattern.compile(TopicAccess.HOOK_TOPIC_PATTERN);
        TopicAccess.Hook acme = new TopicAccess.Hook("acme-scan-2");
        assertEquals("kiln.qa.hook.acme-scan-2", acme.topic());
        assertEquals("hook-acme-scan-2", acme.principal());
        assertEquals("kiln-hook-acme-scan-2", acme.group());
        assertTrue(relay.matcher(acme.topic()).matches());
        assertFalse(relay.matcher(acme.deadLetterTopic()).matches());
        assertFalse(relay.matcher("kiln.qa.result").matches());
        assertEquals(acme, TopicAccess.Hook.ofTopic(acme.topic()).orElseThrow());
        assertTrue(TopicAccess.Hook.ofTopic(acme.deadLetterTopic()).isEmpty());
        for (String bad : new String[] {"", "Acme", "acme.scan", "acme--scan", "-acme", "acme_scan", "a".repeat(49)}) {
            assertThrows(IllegalArgumentException.class, () -> new TopicAccess.Hook(bad), bad);
        }
    }

    @Test
    void producersAreTheServicesThatSendEachEvent() throws IOException {
        for (EventType type : EventType.values()) {
            Set<String> sending = new TreeSet<>();
            for (TopicAccess.Service s : TopicAccess.SERVICES) {
                String code = mainCode(s.service());
                boolean constructs = code.contains("new " + type.recordType().getSimpleName() + "(");
                boolean template = type == EventType.BUILD_FAILED && STAGED_CONSUMER.matcher(code).find();
                if (constructs || template) {
                    sending.add(s.service());
                }
            }
            assertEquals(sending, new TreeSet<>(TopicAccess.producers(type)), type + " is sent by");
        }
    }

    @Test
    void noServiceSendsWhatOnlyAnotherMaySend() {
        assertFalse(TopicAccess.producers(EventType.IMAGE_PROMOTED).contains("qa"));
        assertEquals(Set.of("release"), TopicAccess.producers(EventType.GATING_DECISION));
        assertEquals(Set.of("signing"), TopicAccess.producers(EventType.IMAGE_SIGNED));
        assertEquals(Set.of("qa"), TopicAccess.producers(EventType.QA_RESULT));
        assertTrue(TopicAccess.of("qa").orElseThrow().deadLetterTopics().contains("kiln.image.pushed.dlq"));
    }

    private static String mainCode(String service) throws IOException {
        StringBuilder all = new StringBuilder();
        try (Stream<Path> files = Files.walk(SERVICES.resolve(service).resolve("src/main/java"))) {
            for (Path f : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                all.append(Files.readString(f)).append('\n');
            }
        }
        return all.toString();
    }
}
