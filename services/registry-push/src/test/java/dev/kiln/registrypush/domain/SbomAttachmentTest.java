package dev.kiln.registrypush.domain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.events.BuildCompleted;
import dev.kiln.events.Nvr;
import dev.kiln.support.registry.RegistryClient;
import dev.kiln.support.sbom.CycloneDx;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SbomAttachmentTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String IMAGE = "sha256:" + "1a".repeat(32);
    private static final String PUSHED = "sha256:" + "2b".repeat(32);
    private static final String PARENT = "sha256:" + "3c".repeat(32);
    private static final List<String> PACKAGES = List.of("pkg:deb/debian/bash@5.2.15-2?arch=amd64",
            "pkg:deb/debian/coreutils@9.1-1?arch=amd64");

    private static BuildCompleted completed(boolean scratch, Nvr nvr) {
        return new BuildCompleted("b-1", "hello", scratch, IMAGE, "tcp://builder:2376", nvr, "prod:5000/base:1", PARENT,
                Map.of(), 10, PACKAGES, List.of(), null, Instant.parse("2026-01-02T03:04:05.123456Z"));
    }

    @Test
    void isCosignsAttachedSbomLayoutForThePushedDigest() throws Exception {
        SbomAttachment a = SbomAttachment.of(completed(false, new Nvr("hello", "1.0", "3")), "cand:5000", "hello", PUSHED);
        assertEquals("sha256-" + "2b".repeat(32) + ".sbom", a.tag());

        JsonNode manifest = JSON.readTree(a.manifest());
        assertEquals(RegistryClient.OCI_MANIFEST, manifest.path("mediaType").asText());
        assertEquals("application/vnd.oci.image.config.v1+json", manifest.path("config").path("mediaType").asText());
        assertEquals(a.configDigest(), manifest.path("config").path("digest").asText());
        assertEquals(a.config().length, manifest.path("config").path("size").asInt());
        assertEquals(1, manifest.path("layers").size());
        JsonNode layer = manifest.path("layers").get(0);
        assertEquals(CycloneDx.MEDIA_TYPE, layer.path("mediaType").asText());
        assertEquals(a.sbomDigest(), layer.path("digest").asText());
        assertEquals(a.sbom().length, layer.path("size").asInt());
        assertEquals(List.of(a.sbomDigest()), List.of(JSON.convertValue(
                JSON.readTree(a.config()).path("rootfs").path("diff_ids"), String[].class)));

        JsonNode bom = JSON.readTree(a.sbom());
        assertEquals("1.5", bom.path("specVersion").asText());
        JsonNode image = bom.path("metadata").path("component");
        assertEquals("1.0-3", image.path("version").asText());
        assertEquals("pkg:oci/hello@sha256%3A" + "2b".repeat(32) + "?repository_url=cand:5000/hello",
                image.path("purl").asText());
        // the event's time, as cyclonedx-core-java writes a date-time: to the second
        assertEquals("2026-01-02T03:04:05Z", bom.path("metadata").path("timestamp").asText());
        assertEquals(PACKAGES, bom.path("components").findValuesAsText("purl"));
        assertEquals(PARENT, property(bom, "dev.kiln:parent-digest"));
        assertEquals(IMAGE, property(bom, "dev.kiln:image-id"));
    }

    @Test
    void aScratchBuildIsVersionedByItsVersionAlone() throws Exception {
        SbomAttachment a = SbomAttachment.of(completed(true, new Nvr("hello", "1.0", null)), "cand:5000", "hello", PUSHED);
        assertEquals("1.0", JSON.readTree(a.sbom()).path("metadata").path("component").path("version").asText());
    }

    @Test
    void theSameEventAlwaysGivesTheSameBytes() {
        BuildCompleted event = completed(false, new Nvr("hello", "1.0", "3"));
        SbomAttachment first = SbomAttachment.of(event, "cand:5000", "hello", PUSHED);
        SbomAttachment second = SbomAttachment.of(event, "cand:5000", "hello", PUSHED);
        assertArrayEquals(first.sbom(), second.sbom());
        assertArrayEquals(first.config(), second.config());
        assertEquals(first.manifestDigest(), second.manifestDigest());
    }

    private static String property(JsonNode bom, String name) {
        for (JsonNode p : bom.path("metadata").path("properties")) {
            if (p.path("name").asText().equals(name)) {
                return p.path("value").asText();
            }
        }
        return null;
    }
}
