package dev.kiln.support.sbom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.List;
import org.cyclonedx.parsers.JsonParser;
import org.junit.jupiter.api.Test;

class CycloneDxTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DIGEST = "sha256:" + "c".repeat(64);
    private static final CycloneDx.Subject SUBJECT = new CycloneDx.Subject("b-1", "hello", "1.0-2",
            "sha256:" + "a".repeat(64), "localhost:5001/base/busybox:latest", null, null, null, null);
    /** What container-build reads from a Debian 12 image's dpkg status (ImagePackages), '+' percent-encoded. */
    private static final List<String> DEBIAN = List.of(
            "pkg:deb/debian/bash@5.2.15-2%2Bb2?arch=amd64",
            "pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64",
            "pkg:deb/debian/tzdata@2024a-0%2Bdeb12u1?arch=all",
            "pkg:deb/debian/libssl3@3.0.15-1~deb12u1?arch=amd64");

    private static JsonNode tree(byte[] json) throws Exception {
        return JSON.readTree(json);
    }

    @Test
    void aDebianImagesSbomIsValidCycloneDxWithTheRealVersions() throws Exception {
        byte[] sbom = CycloneDx.json(SUBJECT.at("localhost:5000", "apps/hello", DIGEST), DEBIAN,
                Instant.parse("2026-11-22T10:00:00Z"));
        assertEquals(List.of(), new JsonParser().validate(sbom, CycloneDx.VERSION), "the CycloneDX 1.5 schema");
        JsonNode bom = tree(sbom);
        assertEquals("CycloneDX", bom.path("bomFormat").asText());
        assertEquals("1.5", bom.path("specVersion").asText());
        JsonNode components = bom.path("components");
        assertEquals(List.of("bash", "libc6", "tzdata", "libssl3"),
                List.of(components.get(0).path("name").asText(), components.get(1).path("name").asText(),
                        components.get(2).path("name").asText(), components.get(3).path("name").asText()));
        assertEquals("5.2.15-2+b2", components.get(0).path("version").asText(), "decoded, as dpkg spells it");
        assertEquals("2.36-9+deb12u4", components.get(1).path("version").asText());
        assertEquals("3.0.15-1~deb12u1", components.get(3).path("version").asText());
        assertEquals("pkg:deb/debian/bash@5.2.15-2%2Bb2?arch=amd64", components.get(0).path("purl").asText(),
                "the purl itself stays encoded");
    }

    @Test
    void theImageIsTheMetadataComponentWithAnOciPurl() throws Exception {
        JsonNode bom = tree(CycloneDx.json(SUBJECT.at("localhost:5000", "apps/hello", DIGEST),
                List.of("pkg:rpm/fedora/glibc@2.39-1.fc40?arch=x86_64", "pkg:apk/alpine/musl"), Instant.EPOCH));
        JsonNode image = bom.path("metadata").path("component");
        assertEquals("container", image.path("type").asText());
        assertEquals("hello", image.path("name").asText());
        assertEquals("1.0-2", image.path("version").asText());
        assertEquals("pkg:oci/hello@sha256%3A" + "c".repeat(64) + "?repository_url=localhost:5000/apps/hello",
                image.path("purl").asText());
        assertEquals("kiln", bom.path("metadata").path("tools").path("components").get(0).path("name").asText());
        assertEquals("b-1", bom.path("metadata").path("properties").get(0).path("value").asText());
        assertFalse(bom.path("components").get(1).has("version"), "an apk purl without a version has none");
    }

    @Test
    void theSameBuildKeepsItsSerialNumberAndTheSameInputsTheSameBytes() throws Exception {
        byte[] a = CycloneDx.json(SUBJECT, List.of(), Instant.EPOCH);
        byte[] b = CycloneDx.json(SUBJECT.at("r", "x", DIGEST), List.of(), Instant.now());
        assertEquals(tree(a).path("serialNumber"), tree(b).path("serialNumber"));
        assertFalse(tree(a).path("metadata").path("component").has("purl"), "no candidate yet: no purl");
        assertArrayEquals(CycloneDx.json(SUBJECT, DEBIAN, Instant.EPOCH), CycloneDx.json(SUBJECT, DEBIAN, Instant.EPOCH),
                "registry-push's .sbom digest must not change when an event is redelivered");
        assertThrows(IllegalArgumentException.class, () -> new CycloneDx.Subject("b", "", "1", null, null, null, null,
                null, null));
    }

    @Test
    void anUnreadablePurlIsNamedNotDropped() throws Exception {
        JsonNode bom = tree(CycloneDx.json(SUBJECT, List.of("not a purl", "pkg:apk/alpine/musl@1.2.4-r2"), Instant.EPOCH));
        assertEquals(1, bom.path("components").size());
        assertTrue(bom.path("metadata").path("properties").toString().contains("not a purl"), bom.toString());
    }
}
