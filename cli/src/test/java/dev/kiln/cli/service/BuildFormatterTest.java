package dev.kiln.cli.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.cli.domain.Build;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The layers table of {@code kiln show}: short diff ids, sizes for people, created-by on one line within 80 columns. */
class BuildFormatterTest {

    private static final String T0 = "2025-01-01T10:00:00Z";

    private static Build built(List<Build.Layer> layers) {
        return new Build("b1", "hello", "COMPLETE", false, "alice", null, "Dockerfile", null, T0, T0, List.of(), null,
                null, null, null, List.of(), List.of(), null, layers);
    }

    private static String digest(char c) {
        return "sha256:" + String.valueOf(c).repeat(64);
    }

    private static List<String> layerLines(String summary) {
        List<String> lines = summary.lines().toList();
        return lines.subList(lines.indexOf("Layers (bottom first):"), lines.size());
    }

    @Test
    void theWorkerAndItsDaemonAreNamedWhenKnown() throws Exception {
        String json = "{\"id\":\"b1\",\"state\":\"BUILDING\",\"worker\":{\"id\":\"builder-1-4242\","
                + "\"dockerHost\":\"tcp://10.0.0.7:2376\"}}";
        Build b = new com.fasterxml.jackson.databind.ObjectMapper().readValue(json, Build.class);
        assertTrue(BuildFormatter.summary(b).lines().anyMatch(l -> l.matches("Worker:\\s+builder-1-4242 on tcp://10.0.0.7:2376")),
                BuildFormatter.summary(b));
        assertFalse(BuildFormatter.summary(built(List.of())).contains("Worker:"), "not named before a worker took it");
    }

    @Test
    void aStateTheHubInferredIsMarked() throws Exception {
        String json = "{\"id\":\"b1\",\"state\":\"PUSHED\",\"history\":[{\"state\":\"SUBMITTED\",\"at\":\"" + T0
                + "\"},{\"state\":\"BUILDING\",\"at\":\"2025-01-01T10:00:09Z\",\"inferred\":true},"
                + "{\"state\":\"PUSHED\",\"at\":\"2025-01-01T10:00:09Z\"}]}";
        Build b = new com.fasterxml.jackson.databind.ObjectMapper().readValue(json, Build.class);
        List<String> lines = BuildFormatter.summary(b).lines().toList();
        assertTrue(lines.stream().anyMatch(l -> l.contains("BUILDING") && l.endsWith("(inferred: a later state came first)")),
                String.join("\n", lines));
        assertTrue(lines.stream().anyMatch(l -> l.contains("PUSHED") && !l.contains("inferred")), String.join("\n", lines));
    }

    @Test
    void layersComeLastAsATableBottomFirst() {
        String summary = BuildFormatter.summary(built(List.of(
                new Build.Layer(digest('3'), 4_300_000L, "ADD file:busybox in /"),
                new Build.Layer(digest('4'), 12L, "COPY hello.txt /"),
                new Build.Layer(digest('5'), 123_456_789L,
                        "RUN apt-get update \\\n    && apt-get install -y --no-install-recommends ca-certificates curl"),
                new Build.Layer(digest('6'), 0L, null))));
        assertEquals(List.of(
                "Layers (bottom first):",
                "  #  DIFF ID           SIZE    CREATED BY",
                "  1  sha256:33333333…  4.3 MB  ADD file:busybox in /",
                "  2  sha256:44444444…  12 B    COPY hello.txt /",
                "  3  sha256:55555555…  123 MB  RUN apt-get update \\ && apt-get install -y --no-…",
                "  4  sha256:66666666…  0 B     -"), layerLines(summary), summary);
        for (String line : layerLines(summary)) {
            assertTrue(line.length() <= BuildFormatter.LINE_WIDTH, line);
        }
    }

    @Test
    void createdByKeepsTwentyColumnsWhenTheOtherColumnsAreWide() {
        String summary = BuildFormatter.summary(built(List.of(
                new Build.Layer("an-algorithm-name-far-longer-than-any-real-one-such-as-sha256:" + "7".repeat(64),
                        null, "RUN " + "x".repeat(100)))));
        String row = layerLines(summary).get(2);
        assertTrue(row.contains("sha256:77777777…  -"), row);
        assertTrue(row.endsWith("  RUN " + "x".repeat(15) + "…"), "20 characters: " + row);
    }

    @Test
    void noLayersNoSection() {
        assertFalse(BuildFormatter.summary(built(List.of())).contains("Layers"));
        assertFalse(BuildFormatter.summary(built(null)).contains("Layers"));
    }

    @Test
    void sizesInPowersOfAThousand() {
        assertEquals("0 B", BuildFormatter.humanSize(0));
        assertEquals("999 B", BuildFormatter.humanSize(999));
        assertEquals("1.0 kB", BuildFormatter.humanSize(1000));
        assertEquals("1.5 kB", BuildFormatter.humanSize(1536));
        assertEquals("10 kB", BuildFormatter.humanSize(9_960));
        assertEquals("1.0 MB", BuildFormatter.humanSize(999_999));
        assertEquals("4.3 MB", BuildFormatter.humanSize(4_300_000));
        assertEquals("123 MB", BuildFormatter.humanSize(123_456_789));
        assertEquals("2.1 GB", BuildFormatter.humanSize(2_147_483_648L));
        assertEquals("9.2 EB", BuildFormatter.humanSize(Long.MAX_VALUE));
    }

    @Test
    void shortDiffIds() {
        assertEquals("sha256:abcdef01…", BuildFormatter.shortDigest("sha256:abcdef0123456789" + "0".repeat(48)));
        assertEquals("sha256:abc", BuildFormatter.shortDigest("sha256:abc"));
        assertEquals("-", BuildFormatter.shortDigest(null));
    }
}
