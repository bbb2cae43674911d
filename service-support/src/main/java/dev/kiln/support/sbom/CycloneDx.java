package dev.kiln.support.sbom;

import com.github.packageurl.MalformedPackageURLException;
import com.github.packageurl.PackageURL;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.UUID;
import org.cyclonedx.Version;
import org.cyclonedx.exception.GeneratorException;
import org.cyclonedx.generators.BomGeneratorFactory;
import org.cyclonedx.model.Bom;
import org.cyclonedx.model.Component;
import org.cyclonedx.model.Metadata;
import org.cyclonedx.model.Property;
import org.cyclonedx.model.metadata.ToolInformation;

/**
 * The content manifest of a build as a CycloneDX 1.5 JSON SBOM, the one document the hub serves
 * ({@code GET /api/v1/builds/{id}/sbom}) and registry-push attaches to the candidate image
 * ({@code sha256-<hex>.sbom}). Made with the CycloneDX project's own model and writer (cyclonedx-core-java) and purls
 * parsed by the package-url reference implementation (packageurl-java): the image is the metadata component (a
 * {@code pkg:oci} purl with its candidate digest when known); each package found in the image's package database
 * (dpkg, apk, rpm) is a component whose name and version are the purl's, decoded ({@code 5.2.15-2+b2}, not
 * {@code 5.2.15-2%2Bb2}). The same build always gets the same serial number, and the same inputs the same bytes.
 */
public final class CycloneDx {
    public static final String MEDIA_TYPE = "application/vnd.cyclonedx+json";
    /** The CycloneDX version Kiln writes. */
    public static final Version VERSION = Version.VERSION_15;

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

    /** The SBOM as CycloneDX's model. A package URL that does not parse is left out (and named in a property). */
    public static Bom bom(Subject s, List<String> packageUrls, Instant timestamp) {
        Component image = new Component();
        image.setType(Component.Type.CONTAINER);
        image.setBomRef("image");
        image.setName(s.name());
        image.setVersion(s.version());
        if (s.digest() != null && s.repository() != null && s.registry() != null) {
            image.setPurl(imagePurl(s));
        }
        Component tool = new Component();
        tool.setType(Component.Type.APPLICATION);
        tool.setName("kiln");
        ToolInformation tools = new ToolInformation();
        tools.setComponents(List.of(tool));

        Metadata metadata = new Metadata();
        metadata.setTimestamp(Date.from(timestamp));
        metadata.setToolChoice(tools);
        metadata.setComponent(image);
        List<Property> properties = properties(s);
        metadata.setProperties(properties);

        List<Component> components = new ArrayList<>();
        for (String purl : packageUrls) {
            PackageURL parsed;
            try {
                parsed = new PackageURL(purl);
            } catch (MalformedPackageURLException e) {
                properties.add(property("dev.kiln:unreadable-purl", purl));
                continue;
            }
            Component c = new Component();
            c.setType(Component.Type.LIBRARY);
            c.setBomRef(purl);
            c.setName(parsed.getName());
            c.setVersion(parsed.getVersion());
            c.setPurl(purl);
            components.add(c);
        }

        Bom bom = new Bom();
        bom.setSerialNumber("urn:uuid:" + UUID.nameUUIDFromBytes(("kiln-build:" + s.buildId())
                .getBytes(StandardCharsets.UTF_8)));
        bom.setVersion(1);
        bom.setMetadata(metadata);
        bom.setComponents(components);
        return bom;
    }

    /** The SBOM as CycloneDX 1.5 JSON (UTF-8), the bytes the hub serves and registry-push attaches. */
    public static byte[] json(Subject s, List<String> packageUrls, Instant timestamp) {
        try {
            return BomGeneratorFactory.createJson(VERSION, bom(s, packageUrls, timestamp)).toJsonString()
                    .getBytes(StandardCharsets.UTF_8);
        } catch (GeneratorException e) {
            throw new IllegalStateException("the SBOM cannot be written as CycloneDX JSON: " + e.getMessage(), e);
        }
    }

    /**
     * {@code pkg:oci/<name>@<digest>?repository_url=<registry>/<repository>}, spelled as the purl spec's own oci
     * examples are (the digest's {@code :} encoded, the repository URL as it is), and checked by parsing it.
     */
    static String imagePurl(Subject s) {
        String repository = s.repository();
        String name = repository.substring(repository.lastIndexOf('/') + 1);
        String purl = "pkg:oci/" + name + "@" + s.digest().replace(":", "%3A") + "?repository_url=" + s.registry()
                + "/" + repository;
        try {
            new PackageURL(purl);
            return purl;
        } catch (MalformedPackageURLException e) {
            throw new IllegalArgumentException("no package URL for " + s.registry() + "/" + repository + "@"
                    + s.digest() + ": " + e.getMessage(), e);
        }
    }

    private static List<Property> properties(Subject s) {
        List<Property> p = new ArrayList<>();
        p.add(property("dev.kiln:build-id", s.buildId()));
        if (s.imageId() != null) {
            p.add(property("dev.kiln:image-id", s.imageId()));
        }
        if (s.parentImage() != null) {
            p.add(property("dev.kiln:parent-image", s.parentImage()));
        }
        if (s.parentDigest() != null) {
            p.add(property("dev.kiln:parent-digest", s.parentDigest()));
        }
        return p;
    }

    private static Property property(String name, String value) {
        Property p = new Property();
        p.setName(name);
        p.setValue(value);
        return p;
    }
}
