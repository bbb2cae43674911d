package dev.kiln.containerbuild.inspect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.dockerjava.api.model.ImageHistory;
import dev.kiln.events.ImageLayer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Lining up {@code docker history} with {@code rootfs.diff_ids}. The first case is what dockerd 20.10's legacy
 * builder answered for a real build (ContainerBuildTest builds the same Dockerfile end to end).
 */
class ImageLayersTest {
    private static final String L0 = digest('0');
    private static final String L1 = digest('1');
    private static final String L2 = digest('2');
    private static final String L3 = digest('3');
    private static final String ADD = "/bin/sh -c #(nop) ADD file:d7864cb6abf7113c8ddc4fd7c2a91a3bbc10f31317b2488d2ac57d781fbac206 in / ";
    private static final String MKDIR = "/bin/sh -c mkdir /newdir";
    private static final String COPY = "/bin/sh -c #(nop) COPY file:99dab1a7a2dd5d9f985450ffe99777fca12ef0bdae5ec5e071c7846d31930e6d in /f.txt ";
    private static final String ECHO = "/bin/sh -c echo hi > /hi.txt";

    /** Oldest first: id, size, created by, the layers of that step's image. */
    private static final Object[][] LEGACY_BUILD = {
        {"sha256:fdc5", 1_980_000L, ADD, List.of(L0)},
        {"sha256:41ff", 0L, "/bin/sh -c #(nop)  LABEL a=b", List.of(L0)},
        {"sha256:5846", 0L, "/bin/sh -c true", List.of(L0)}, // an empty diff: the builder keeps no layer
        {"sha256:b68b", 0L, MKDIR, List.of(L0, L1)}, // a layer of size 0
        {"sha256:3c28", 0L, "/bin/sh -c #(nop) WORKDIR /newdir", List.of(L0, L1)},
        {"sha256:8356", 0L, "/bin/sh -c #(nop) WORKDIR /tmp", List.of(L0, L1)},
        {"sha256:b30f", 6L, COPY, List.of(L0, L1, L2)},
        {"sha256:a7f4", 0L, "/bin/sh -c #(nop)  ENV X=1", List.of(L0, L1, L2)},
        {"sha256:dc7e", 3L, ECHO, List.of(L0, L1, L2, L3)},
        {"sha256:330a", 0L, "/bin/sh -c #(nop)  CMD [\"sh\"]", List.of(L0, L1, L2, L3)}};

    @Test
    void stepsBuiltOnThisDaemonLineUpExactlyThroughTheirImages() {
        ImageLayers.Result result = lineUp(List.of(L0, L1, L2, L3), LEGACY_BUILD, false);
        assertEquals(List.of(new ImageLayer(L0, 1_980_000, ADD.strip()), new ImageLayer(L1, 0, MKDIR),
                new ImageLayer(L2, 6, COPY.strip()), new ImageLayer(L3, 3, ECHO)), result.layers());
        assertEquals(0, result.unmatched());
    }

    @Test
    void withoutImagesTheSameHistoryIsAmbiguousAndSaysSo() {
        // RUN true and RUN mkdir both have size 0: only one of them made a layer, and the history does not say which
        ImageLayers.Result result = lineUp(List.of(L0, L1, L2, L3), LEGACY_BUILD, true);
        assertEquals(4, result.unmatched());
        assertEquals(List.of(new ImageLayer(L0, 0, null), new ImageLayer(L1, 0, null), new ImageLayer(L2, 0, null),
                new ImageLayer(L3, 0, null)), result.layers());
    }

    @Test
    void aPulledParentsMissingStepsLineUpByWhatTheyAre() {
        Object[][] history = {
            {null, 0L, "LABEL maintainer=someone", null},
            {null, 180_000_000L, "ADD fedora-40.tar / # buildkit", null},
            {null, 0L, "RUN /bin/sh -c mkdir -p /srv # buildkit", null}, // size 0, yet a layer
            {null, 0L, "ENV container=oci", null},
            {"sha256:parent", 0L, "CMD [\"/bin/bash\"]", List.of(L0, L1)}, // the newest step of the parent
            {"sha256:step1", 50_000_000L, "/bin/sh -c dnf -y install httpd", List.of(L0, L1, L2)},
            {"sha256:image", 0L, "/bin/sh -c #(nop)  LABEL name=hello", List.of(L0, L1, L2)}};
        ImageLayers.Result result = lineUp(List.of(L0, L1, L2), history, false);
        assertEquals(List.of(new ImageLayer(L0, 180_000_000, "ADD fedora-40.tar / # buildkit"),
                new ImageLayer(L1, 0, "RUN /bin/sh -c mkdir -p /srv # buildkit"),
                new ImageLayer(L2, 50_000_000, "/bin/sh -c dnf -y install httpd")), result.layers());
        assertEquals(0, result.unmatched());
    }

    @Test
    void anImageThatIsNotTheBottomOfOursIsNoAnchor() {
        Object[][] history = {
            {"sha256:stranger", 10L, "/bin/sh -c #(nop) ADD file:abc in / ", List.of(digest('9'))},
            {"sha256:image", 20L, "/bin/sh -c echo", List.of(L0, L1)}};
        ImageLayers.Result result = lineUp(List.of(L0, L1), history, false);
        assertEquals(List.of(new ImageLayer(L0, 10, "/bin/sh -c #(nop) ADD file:abc in /"),
                new ImageLayer(L1, 20, "/bin/sh -c echo")), result.layers(), "lined up by size instead");
    }

    @Test
    void noHistoryKeepsTheLayersWithoutSizes() {
        ImageLayers.Result result = ImageLayers.lineUp(List.of(L0, L1), List.of(), id -> Optional.empty());
        assertEquals(List.of(new ImageLayer(L0, 0, null), new ImageLayer(L1, 0, null)), result.layers());
        assertEquals(2, result.unmatched());
    }

    @Test
    void metadataInstructionsOfBothBuilders() {
        for (String metadata : new String[] {"/bin/sh -c #(nop)  CMD [\"sh\"]", "/bin/sh -c #(nop)  ENV X=1",
            "LABEL a=b", "ARG VERSION=1", "EXPOSE map[80/tcp:{}]", "USER 1001", "ENTRYPOINT [\"/x\"]"}) {
            assertTrue(ImageLayers.metadataOnly(metadata), metadata);
        }
        for (String layer : new String[] {ADD, COPY, "/bin/sh -c #(nop) WORKDIR /x", MKDIR, "|1 A=b /bin/sh -c make",
            "RUN /bin/sh -c make # buildkit", "COPY . /src # buildkit", "WORKDIR /srv"}) {
            assertFalse(ImageLayers.metadataOnly(layer), layer);
        }
        assertFalse(ImageLayers.metadataOnly(null), "an import");
    }

    @Test
    void logLine() {
        assertEquals("[kiln] layers: 3 (sha256:000000000000… 2.0 MB ADD file:d7864cb6abf7… in /,"
                + " sha256:111111111111… 0 B RUN mkdir /newdir, sha256:222222222222… 4.3 kB (instruction unknown))",
                ImageLayers.describe(List.of(new ImageLayer(L0, 1_980_000, ADD.strip()), new ImageLayer(L1, 0, MKDIR),
                        new ImageLayer(L2, 4_321, null))));
        assertEquals("RUN " + "x".repeat(55) + "…", ImageLayers.instruction("/bin/sh -c " + "x".repeat(80)));
        assertEquals("[kiln] layers: 0", ImageLayers.describe(List.of()));
    }

    /** Newest first, as the daemon answers; {@code missing}: every step shows {@code <missing>}. */
    private static ImageLayers.Result lineUp(List<String> diffIds, Object[][] oldestFirst, boolean missing) {
        List<ImageHistory> history = new ArrayList<>();
        Map<String, List<String>> layersOf = new HashMap<>();
        for (int i = oldestFirst.length - 1; i >= 0; i--) {
            Object[] s = oldestFirst[i];
            String id = missing || s[0] == null ? ImageLayers.MISSING : (String) s[0];
            history.add(new ImageHistory().withId(id).withSize((Long) s[1]).withCreatedBy((String) s[2]));
            if (s[3] != null) {
                @SuppressWarnings("unchecked")
                List<String> layers = (List<String>) s[3];
                layersOf.put((String) s[0], layers);
            }
        }
        return ImageLayers.lineUp(diffIds, history, id -> Optional.ofNullable(layersOf.get(id)));
    }

    private static String digest(char c) {
        return "sha256:" + String.valueOf(c).repeat(64);
    }
}
