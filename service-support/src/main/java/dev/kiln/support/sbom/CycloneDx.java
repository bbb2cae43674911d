package dev.kiln.support.sbom;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The content manifest of a build as a CycloneDX 1.5 JSON SBOM, the one document the hub serves
 * ({@code GET /api/v1/builds/{id}/sbom}) and registry-push attaches to the candidate image
 * ({@code sha256-<hex>.sbom}). The image is the metadata component (a {@code pkg:oci} package URL with its candidate
 * digest when known); each package found in the image's package database (dpkg, apk, rpm) is a component with its
 * package URL ({@code pkg:deb/debian/bash@5.2.15-2}). The same build always gets the same serial number.
 */
public final class CycloneDx {
    public static final String MEDIA_TYPE = "application/vnd.cyclonedx+json";

    private CycloneDx() {
    }

    /**
     * What the SBOM describes. {@code version} is {@code version-release} (or {@code version} for a scratch build);
     * {@code imageId}, {@code parentImage}, {@code parentDigest} and the candidate coordinates may be null.
     */
    public record Subject(String buildId, String name, String version, String imageId, String parentImage,
            String parentDigest, String registry, String repository, String digest) {
        public Subject {
            if (buildId == null || buildId.isBlank() || name == null || name.isBlank() || version == null
                    || version.isBlank()) {
                throw new IllegalArgumentException("an SBOM subject needs a build id, a name and a version");
            }
        }

        /** The same subject at its candidate coordinates. */
        public Subject at(String registry, String repository, String digest) {
            return new Subject(buildId, name, version, imageId, parentImage, parentDigest, registry, repository, digest);
        }
    }

    /** The SBOM as a JSON tree: ordered maps and lists, in CycloneDX's field order. */
    public static Map<String, Object> of(Subject s, List<String> packageUrls, Instant timestamp) {
        Map<String, Object> image = new LinkedHashMap<>();
        image.put("type", "container");
        image.put("bom-ref", "image");
        image.put("name", s.name());
        image.put("version", s.version());
        if (s.digest() != null && s.repository() != null && s.registry() != null) {
            image.put("purl", "pkg:oci/" + lastSegment(s.repository()) + "@" + s.digest().replace(":", "%3A")
                    + "?repository_url=" + s.registry() + "/" + s.repository());
        }
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("timestamp", timestamp.toString());
        metadata.put("tools", ordered("components", List.of(ordered("type", "application", "name", "kiln"))));
        metadata.put("component", image);
        metadata.put("properties", properties(s));

        List<Map<String, Object>> components = new ArrayList<>();
        for (String purl : packageUrls) {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("type", "library");
            c.put("bom-ref", purl);
            c.put("name", name(purl));
            String version = version(purl);
            if (version != null) {
                c.put("version", version);
            }
            c.put("purl", purl);
            components.add(c);
        }

        Map<String, Object> bom = new LinkedHashMap<>();
        bom.put("bomFormat", "CycloneDX");
        bom.put("specVersion", "1.5");
        bom.put("serialNumber", "urn:uuid:" + UUID.nameUUIDFromBytes(("kiln-build:" + s.buildId())
                .getBytes(StandardCharsets.UTF_8)));
        bom.put("version", 1);
        bom.put("metadata", metadata);
        bom.put("components", components);
        return bom;
    }

    private static List<Map<String, Object>> properties(Subject s) {
        List<Map<String, Object>> p = new ArrayList<>();
        p.add(ordered("name", "dev.kiln:build-id", "value", s.buildId()));
        if (s.imageId() != null) {
            p.add(ordered("name", "dev.kiln:image-id", "value", s.imageId()));
        }
        if (s.parentImage() != null) {
            p.add(ordered("name", "dev.kiln:parent-image", "value", s.parentImage()));
        }
        if (s.parentDigest() != null) {
            p.add(ordered("name", "dev.kiln:parent-digest", "value", s.parentDigest()));
        }
        return p;
    }

    /**
     * A map that keeps the order it was given: every map of the tree is one, so the same subject always serialises to
     * the same bytes (registry-push's {@code .sbom} manifest digest stays the same when an event is redelivered).
     */
    private static Map<String, Object> ordered(Object... keysAndValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return m;
    }

    /** {@code pkg:deb/debian/bash@5.2?arch=amd64} → {@code bash} (still percent-encoded). */
    static String name(String purl) {
        String path = strip(purl);
        int at = path.indexOf('@');
        return lastSegment(at < 0 ? path : path.substring(0, at));
    }

    static String version(String purl) {
        String path = strip(purl);
        int at = path.indexOf('@');
        return at < 0 ? null : path.substring(at + 1);
    }

    private static String strip(String purl) {
        String p = purl;
        for (char cut : new char[] {'#', '?'}) {
            int i = p.indexOf(cut);
            if (i >= 0) {
                p = p.substring(0, i);
            }
        }
        return p;
    }

    private static String lastSegment(String s) {
        int slash = s.lastIndexOf('/');
        return slash < 0 ? s : s.substring(slash + 1);
    }
}
