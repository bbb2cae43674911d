package dev.kiln.buildsubmission.domain;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The content manifest of a build as a CycloneDX 1.5 JSON SBOM: the image is the metadata component (a
 * {@code pkg:oci} package URL with its candidate digest when known), each package found in the image's package
 * database (dpkg, apk) a component with its package URL ({@code pkg:deb/debian/bash@5.2.15-2}).
 */
public final class CycloneDx {
    public static final String MEDIA_TYPE = "application/vnd.cyclonedx+json";

    private CycloneDx() {
    }

    public static Map<String, Object> of(Build b, List<String> packageUrls, Instant now) {
        Map<String, Object> image = new LinkedHashMap<>();
        image.put("type", "container");
        image.put("bom-ref", "image");
        image.put("name", b.nvr().name());
        image.put("version", b.nvr().release() == null ? b.nvr().version() : b.nvr().version() + "-" + b.nvr().release());
        if (b.candidate() != null) {
            image.put("purl", "pkg:oci/" + lastSegment(b.candidate().repository()) + "@"
                    + b.candidate().digest().replace(":", "%3A") + "?repository_url="
                    + b.candidate().registry() + "/" + b.candidate().repository());
        }
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("timestamp", now.toString());
        metadata.put("tools", Map.of("components", List.of(Map.of("type", "application", "name", "kiln"))));
        metadata.put("component", image);
        metadata.put("properties", properties(b));

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
        // the same build always gets the same serial number
        bom.put("serialNumber", "urn:uuid:" + UUID.nameUUIDFromBytes(("kiln-build:" + b.id()).getBytes(StandardCharsets.UTF_8)));
        bom.put("version", 1);
        bom.put("metadata", metadata);
        bom.put("components", components);
        return bom;
    }

    private static List<Map<String, String>> properties(Build b) {
        List<Map<String, String>> p = new ArrayList<>();
        p.add(Map.of("name", "dev.kiln:build-id", "value", b.id()));
        if (b.imageId() != null) {
            p.add(Map.of("name", "dev.kiln:image-id", "value", b.imageId()));
        }
        if (b.parentImage() != null) {
            p.add(Map.of("name", "dev.kiln:parent-image", "value", b.parentImage()));
        }
        if (b.parentDigest() != null) {
            p.add(Map.of("name", "dev.kiln:parent-digest", "value", b.parentDigest()));
        }
        return p;
    }

    /** {@code pkg:deb/debian/bash@5.2?arch=amd64} → {@code bash}. */
    static String name(String purl) {
        String path = strip(purl);
        int at = path.indexOf('@');
        String nameAndNs = at < 0 ? path : path.substring(0, at);
        return lastSegment(nameAndNs);
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
