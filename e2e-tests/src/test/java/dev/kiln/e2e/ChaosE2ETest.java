package dev.kiln.e2e;

import static dev.kiln.e2e.KilnStack.JSON;
import static dev.kiln.e2e.KilnStack.cli;
import static dev.kiln.e2e.KilnStack.context;
import static dev.kiln.e2e.KilnStack.logs;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.e2e.KilnStack.CliResult;
import dev.kiln.events.CloudEventHeaders;
import dev.kiln.events.EventType;
import dev.kiln.support.registry.RegistryClient;
import dev.kiln.testsupport.KafkaBroker;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The chaos run: N builds (system property {@code kiln.chaos.builds}, 6 in {@code ./kiln test}, 20 with
 * {@code ./kiln chaos}) submitted at once while each of the six services is killed with SIGKILL in turn and started
 * again at once, the broker restarted once and PostgreSQL restarted once; then every build is waited for and the
 * figures are printed (and written to {@code e2e-tests/target/chaos/chaos.txt}): builds ended by state, stuck,
 * promoted with the candidate's digest, duplicate promotions, duplicate or missing production signatures, dead letters,
 * failures by reason, builds with holes in their history, history entries the hub had to infer, and per kill the
 * seconds until the restarted service sent its next event. The production registry is stopped for
 * {@code kiln.chaos.registry-outage-s} (30) seconds as soon as the first build passed its gate, so promotions meet a
 * registry that refuses connections and must be retried. A {@code kiln watch} follows one build through it all. The
 * goal is asserted: every build COMPLETE, nothing duplicated, no dead letter, no hole in any history. Not a timed test: the seconds are reported, never asserted.
 * <p>
 * It runs last ({@link Order}): it shares the stack of the other end-to-end tests and leaves it restarted.
 */
@Tag("e2e")
@Order(Integer.MAX_VALUE)
@ExtendWith(KilnStack.Extension.class)
class ChaosE2ETest {
    /** The order services are killed in; the broker restarts after the third, PostgreSQL after the fifth. */
    static final List<String> KILL_ORDER = List.of("container-build", "registry-push", "qa", "signing", "release",
            "build-submission");
    static final List<String> STATES = List.of("SUBMITTED", "BUILDING", "PUSHED", "VERIFYING", "PROMOTING", "COMPLETE");

    record Kill(String what, Instant at, Instant ready, Path log) {
        Kill(String what, Instant at, Instant ready) {
            this(what, at, ready, null);
        }

        /** When the restarted process first had partitions assigned, from its log; null when it never said. */
        Instant partitionsBack() {
            if (log == null) {
                return null;
            }
            try (var lines = Files.lines(log)) {
                return lines.filter(l -> l.contains("Adding newly assigned partitions:") && !l.trim().endsWith(":"))
                        .findFirst().map(l -> java.time.LocalDateTime.parse(l.substring(0, 23),
                                java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss,SSS"))
                                .atZone(java.time.ZoneId.systemDefault()).toInstant())
                        .orElse(null);
            } catch (IOException | RuntimeException e) {
                return null;
            }
        }
    }

    @Test
    void buildsSurviveEveryServiceBeingKilledAndTheBrokerAndDatabaseRestarting() throws Exception {
        int n = Integer.getInteger("kiln.chaos.builds", 6);
        long gapMillis = Long.getLong("kiln.chaos.gap-ms", 4000);
        Instant start = Instant.now();
        String run = UUID.randomUUID().toString().substring(0, 6);

        List<String> ids = submit(n, run);
        CompletableFuture<CliResult> watch = CompletableFuture.supplyAsync(() -> {
            try {
                return cli("watch", ids.get(0), "--timeout", "1200");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });

        // the production registry away while builds promote, from the moment the first one passed its gate, whatever
        // the kills are doing meanwhile
        Duration outageLength = Duration.ofSeconds(Long.getLong("kiln.chaos.registry-outage-s", 30));
        CompletableFuture<Kill> outage = CompletableFuture.supplyAsync(() -> {
            try {
                Instant at = awaitAnyState(ids, Set.of("PROMOTING", "COMPLETE"), Duration.ofMinutes(10));
                KilnStack.production.outageFor(outageLength);
                return new Kill("production registry", at, Instant.now());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });

        List<Kill> kills = new ArrayList<>();
        for (int i = 0; i < KILL_ORDER.size(); i++) {
            Thread.sleep(gapMillis);
            String service = KILL_ORDER.get(i);
            Instant at = Instant.now();
            var fresh = KilnStack.killAndRestart(service);
            fresh.awaitReady(Duration.ofMinutes(3));
            kills.add(new Kill(service, at, Instant.now(), fresh.log));
            if (i == 2) {
                Instant b = Instant.now();
                KilnStack.restartBroker();
                kills.add(new Kill("broker", b, Instant.now()));
            }
            if (i == 4) {
                Instant p = Instant.now();
                KilnStack.restartPostgres();
                kills.add(new Kill("postgresql", p, Instant.now()));
            }
        }

        Kill registryOutage = outage.get();
        Instant outageAt = registryOutage.at();
        Instant outageEnd = registryOutage.ready();
        Map<String, JsonNode> builds = awaitEnd(ids, Duration.ofMinutes(Long.getLong("kiln.chaos.wait-minutes", 15)));
        CliResult watched = watch.get();
        Figures f = figures(ids, builds, kills, start);
        f.outage = registryOutage;
        for (JsonNode b : builds.values()) {
            for (JsonNode h : b.path("history")) {
                Instant at = Instant.parse(h.path("at").asText());
                if (h.path("state").asText().equals("PROMOTING") && !at.isBefore(outageAt) && at.isBefore(outageEnd)) {
                    f.promotingDuringOutage++;
                }
            }
        }
        String report = f.report(n, watched);
        Path out = KilnStack.root.resolve("e2e-tests/target/chaos");
        Files.createDirectories(out);
        Files.writeString(out.resolve("chaos.txt"), report);
        System.out.println(report);

        assertEquals(Map.of("COMPLETE", n), f.byState, "every build COMPLETE:\n" + report + "\n" + logs());
        assertEquals(n, f.promotedWithCandidateDigest, report);
        assertEquals(0, f.duplicatePromotions, report);
        assertEquals(0, f.duplicateSignatures + f.missingSignatures, report);
        assertEquals(0, f.deadLetters, report);
        assertEquals(List.of(), f.holes, "every build's history names all six states: " + report);
        assertEquals(0, watched.exit(), "kiln watch rode out the restarts: " + watched + "\n" + report);
    }

    /** Submits {@code n} builds (the CLI, four at a time, not waiting); answers their ids. */
    private static List<String> submit(int n, String run) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<String>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String name = "chaos-" + run + "-" + i;
                futures.add(pool.submit(() -> {
                    Path ctx = context(name, "RUN sleep 2 && echo " + name + " > /chaos.txt\nCMD [\"/bin/cat\", \"/chaos.txt\"]\n");
                    CliResult r = cli("container-build", "--no-wait", ctx.toString());
                    assertEquals(0, r.exit(), r.toString());
                    return r.buildId();
                }));
            }
            List<String> ids = new ArrayList<>();
            for (Future<String> f : futures) {
                ids.add(f.get());
            }
            return ids;
        } finally {
            pool.shutdown();
        }
    }

    /** Waits until one of {@code ids} is in one of {@code states}; answers when. */
    private static Instant awaitAnyState(List<String> ids, Set<String> states, Duration timeout) throws Exception {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            for (String id : ids) {
                try {
                    if (states.contains(KilnStack.build(id).path("state").asText())) {
                        return Instant.now();
                    }
                } catch (Exception | AssertionError e) {
                    // the hub may be starting
                }
            }
            Thread.sleep(500);
        }
        throw new AssertionError("no build reached " + states + " within " + timeout);
    }

    private static Map<String, JsonNode> awaitEnd(List<String> ids, Duration timeout) throws Exception {
        Instant deadline = Instant.now().plus(timeout);
        Map<String, JsonNode> last = new LinkedHashMap<>();
        while (true) {
            boolean allEnded = true;
            for (String id : ids) {
                try {
                    JsonNode b = KilnStack.build(id);
                    last.put(id, b);
                    String s = b.path("state").asText();
                    allEnded &= s.equals("COMPLETE") || s.equals("FAILED") || s.equals("CANCELED");
                } catch (Exception | AssertionError e) {
                    allEnded = false; // the hub may be starting
                }
            }
            if (allEnded || Instant.now().isAfter(deadline)) {
                return last;
            }
            Thread.sleep(2000);
        }
    }

    static final class Figures {
        final Map<String, Integer> byState = new TreeMap<>();
        final Map<String, Integer> failures = new TreeMap<>();
        int stuck;
        int promotedWithCandidateDigest;
        int duplicatePromotions;
        int duplicateSignatures;
        int missingSignatures;
        int deadLetters;
        final List<String> holes = new ArrayList<>();
        final List<String> inferred = new ArrayList<>();
        Kill outage;
        int promotingDuringOutage;
        final Map<Kill, Double> stall = new LinkedHashMap<>();
        Instant startedAt;

        String report(int n, CliResult watched) {
            StringBuilder s = new StringBuilder("Kiln chaos run\n");
            s.append(String.format("builds submitted           %d%n", n));
            s.append(String.format("ended                      %d (%s)%n", n - stuck, byState));
            s.append(String.format("stuck                      %d%n", stuck));
            s.append(String.format("promoted, candidate digest %d%n", promotedWithCandidateDigest));
            s.append(String.format("duplicate promotions       %d%n", duplicatePromotions));
            s.append(String.format("duplicate signatures       %d%n", duplicateSignatures));
            s.append(String.format("missing signatures         %d%n", missingSignatures));
            s.append(String.format("dead letters               %d%n", deadLetters));
            s.append(String.format("failures by reason         %s%n", failures));
            s.append(String.format("builds with holes          %d %s%n", holes.size(), holes));
            s.append(String.format("inferred history entries   %d %s%n", inferred.size(), inferred));
            if (outage != null) {
                s.append(String.format("production registry down   %.1f s (refusing connections) from T+%.1f s;"
                        + " builds entering PROMOTING meanwhile: %d%n",
                        Duration.between(outage.at(), outage.ready()).toMillis() / 1000.0,
                        Duration.between(startedAt, outage.at()).toMillis() / 1000.0, promotingDuringOutage));
            }
            s.append(String.format("kiln watch                 exit %d%n", watched.exit()));
            if (watched.exit() != 0) {
                s.append("  ").append(watched.stderr().strip().replace("\n", "\n  ")).append('\n');
            }
            s.append("per crash, seconds from the kill: restarted and ready, partitions assigned again, next event from it\n");
            stall.forEach((k, v) -> {
                Instant back = k.partitionsBack();
                s.append(String.format("  %-17s %6.1f  %6s  %s%n", k.what(),
                        Duration.between(k.at(), k.ready()).toMillis() / 1000.0,
                        back == null ? "-" : String.format("%.1f", Duration.between(k.at(), back).toMillis() / 1000.0),
                        v == null ? "no event (no work left)" : String.format("%.1f", v)));
            });
            return s.toString();
        }
    }

    private static Figures figures(List<String> ids, Map<String, JsonNode> builds, List<Kill> kills, Instant start)
            throws Exception {
        Figures f = new Figures();
        f.startedAt = start;
        Set<String> mine = new HashSet<>(ids);
        for (String id : ids) {
            JsonNode b = builds.get(id);
            String state = b == null ? "UNKNOWN" : b.path("state").asText();
            if (!Set.of("COMPLETE", "FAILED", "CANCELED").contains(state)) {
                f.stuck++;
            }
            f.byState.merge(state, 1, Integer::sum);
            if (state.equals("FAILED")) {
                f.failures.merge(b.path("failure").path("stage").asText() + "/" + b.path("failure").path("reason").asText(),
                        1, Integer::sum);
            }
            if (b == null) {
                continue;
            }
            String candidate = b.path("candidate").path("digest").asText("");
            String promoted = b.path("promoted").path("digest").asText("");
            if (!promoted.isEmpty() && promoted.equals(candidate)) {
                f.promotedWithCandidateDigest++;
                countSignatures(f, b.path("promoted"));
            }
            if (state.equals("COMPLETE")) {
                List<String> seen = new ArrayList<>();
                b.path("history").forEach(h -> seen.add(h.path("state").asText()));
                if (!seen.equals(STATES)) {
                    f.holes.add(id.substring(0, 8) + ": " + String.join(" > ", seen));
                }
                b.path("history").forEach(h -> {
                    if (h.path("inferred").asBoolean(false)) {
                        f.inferred.add(id.substring(0, 8) + ": " + h.path("state").asText());
                    }
                });
            }
        }

        // the events: promotions per build by distinct event id, and when each service spoke after its crash
        Map<String, Set<String>> promotions = new HashMap<>();
        Map<String, List<Instant>> spoke = new HashMap<>();
        for (ConsumerRecord<String, String> r : readAll()) {
            String source = header(r, CloudEventHeaders.SOURCE);
            if (source != null && source.startsWith("/kiln/")) {
                spoke.computeIfAbsent(source.substring("/kiln/".length()), k -> new ArrayList<>())
                        .add(Instant.ofEpochMilli(r.timestamp()));
            }
            if (r.topic().equals(EventType.IMAGE_PROMOTED.topic()) && mine.contains(r.key())) {
                promotions.computeIfAbsent(r.key(), k -> new HashSet<>()).add(header(r, CloudEventHeaders.ID));
            }
        }
        promotions.values().forEach(p -> f.duplicatePromotions += Math.max(0, p.size() - 1));
        for (Kill k : kills) {
            List<Instant> times = spoke.getOrDefault(k.what(), List.of());
            Double first = times.stream().filter(t -> t.isAfter(k.at())).min(Instant::compareTo)
                    .map(t -> Duration.between(k.at(), t).toMillis() / 1000.0).orElse(null);
            f.stall.put(k, KILL_ORDER.contains(k.what()) ? first : null);
        }

        CliResult dlq = cli("admin", "dlq", "list", "--limit", "1000", "-o", "json");
        assertEquals(0, dlq.exit(), dlq.toString());
        for (JsonNode d : JSON.readTree(dlq.stdout())) {
            if (Instant.parse(d.path("time").asText()).isAfter(start)) {
                f.deadLetters++;
            }
        }
        return f;
    }

    /** Counts the production signature layers of a promoted image per docker reference: one each is right. */
    private static void countSignatures(Figures f, JsonNode promoted) throws Exception {
        String repo = promoted.path("repository").asText();
        String digest = promoted.path("digest").asText();
        RegistryClient registry = KilnStack.registry(KilnStack.production);
        var sig = registry.getManifest(repo, digest.replace("sha256:", "sha256-") + ".sig");
        if (sig.isEmpty()) {
            f.missingSignatures++;
            return;
        }
        Map<String, Integer> perReference = new HashMap<>();
        for (JsonNode layer : JSON.readTree(sig.get().bytes()).path("layers")) {
            byte[] payload = registry.getBlob(repo, layer.path("digest").asText());
            String ref = JSON.readTree(payload).path("critical").path("identity").path("docker-reference").asText();
            perReference.merge(ref, 1, Integer::sum);
        }
        String productionPrefix = promoted.path("registry").asText() + "/" + repo + ":";
        if (perReference.keySet().stream().noneMatch(r -> r.startsWith(productionPrefix))) {
            f.missingSignatures++;
        }
        perReference.values().forEach(c -> f.duplicateSignatures += Math.max(0, c - 1));
    }

    /** Every record of every Kiln topic, from the beginning (a consumer without a group). */
    private static List<ConsumerRecord<String, String>> readAll() {
        Properties p = new Properties();
        p.putAll(KilnStack.kafka.clientProperties(KafkaBroker.ADMIN));
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        List<ConsumerRecord<String, String>> out = new ArrayList<>();
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(p)) {
            List<TopicPartition> tps = new ArrayList<>();
            c.listTopics(Duration.ofSeconds(30)).forEach((topic, parts) -> {
                if (topic.startsWith("kiln.") && !topic.endsWith(".dlq")) {
                    parts.forEach(pi -> tps.add(new TopicPartition(topic, pi.partition())));
                }
            });
            c.assign(tps);
            c.seekToBeginning(tps);
            Map<TopicPartition, Long> ends = c.endOffsets(tps, Duration.ofSeconds(30));
            Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
            while (Instant.now().isBefore(deadline)
                    && tps.stream().anyMatch(tp -> c.position(tp, Duration.ofSeconds(30)) < ends.getOrDefault(tp, 0L))) {
                c.poll(Duration.ofMillis(500)).forEach(out::add);
            }
        }
        return Collections.unmodifiableList(out);
    }

    private static String header(ConsumerRecord<String, String> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
