package dev.kiln.support.sbom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CycloneDxTest {
    private static final String DIGEST = "sha256:" + "c".repeat(64);
    private static final CycloneDx.Subject SUBJECT = new CycloneDx.Subject("b-1", "hello", "1.0-2",
            "sha256:" + "a".repeat(64), "localhost:5001/base/busybox:latest", null, null, null, null);

    @Test
    @SuppressWarnings("unchecked")
    void packagesBecomeComponentsAndTheImageTheMetadataComponent() {
        Map<String, Object> bom = CycloneDx.of(SUBJECT.at("localhost:5000", "apps/hello", DIGEST),
                List.of("pkg:deb/debian/bash@5.2.15-2%2Bb2?arch=amd64", "pkg:rpm/fedora/glibc@2.39-1.fc40?arch=x86_64",
                        "pkg:apk/alpine/musl"), Instant.parse("2026-11-22T10:00:00Z"));
        assertEquals("CycloneDX", bom.get("bomFormat"));
        assertEquals("1.5", bom.get("specVersion"));
        Map<String, Object> image = (Map<String, Object>) ((Map<String, Object>) bom.get("metadata")).get("component");
        assertEquals("pkg:oci/hello@sha256%3A" + "c".repeat(64) + "?repository_url=localhost:5000/apps/hello",
                image.get("purl"));
        assertEquals("1.0-2", image.get("version"));
        List<Map<String, Object>> components = (List<Map<String, Object>>) bom.get("components");
        assertEquals(List.of("bash", "glibc", "musl"), components.stream().map(c -> c.get("name")).toList());
        assertEquals("5.2.15-2%2Bb2", components.get(0).get("version"));
        assertFalse(components.get(2).containsKey("version"));
    }

    @Test
    void theSameBuildKeepsItsSerialNumberAndAnImageWithoutCandidateHasNoPurl() {
        Map<String, Object> a = CycloneDx.of(SUBJECT, List.of(), Instant.EPOCH);
        Map<String, Object> b = CycloneDx.of(SUBJECT.at("r", "x", DIGEST), List.of(), Instant.now());
        assertEquals(a.get("serialNumber"), b.get("serialNumber"));
        @SuppressWarnings("unchecked")
        Map<String, Object> image = (Map<String, Object>) ((Map<String, Object>) a.get("metadata")).get("component");
        assertFalse(image.containsKey("purl"));
        assertThrows(IllegalArgumentException.class, () -> new CycloneDx.Subject("b", "", "1", null, null, null, null,
                null, null));
    }

    @Test
    void everyMapOfTheTreeKeepsItsOrderSoTheBytesNeverChange() {
        assertOrdered(CycloneDx.of(SUBJECT.at("r", "x", DIGEST), List.of("pkg:apk/alpine/musl@1.2.4-r2"), Instant.EPOCH));
    }

    private static void assertOrdered(Object node) {
        if (node instanceof Map<?, ?> map) {
            assertTrue(map instanceof java.util.LinkedHashMap<?, ?>, "unordered map " + map);
            map.values().forEach(CycloneDxTest::assertOrdered);
        } else if (node instanceof List<?> list) {
            list.forEach(CycloneDxTest::assertOrdered);
        }
    }
}
