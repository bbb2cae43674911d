package dev.kiln.registrypush.domain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.events.BuildCompleted;
import dev.kiln.events.Nvr;
import dev.kiln.support.registry.RegistryClient;
import dev.kiln.support.sbom.CycloneDx;
import dev.kiln.support.verify.CosignFormat;
import java.util.List;

/**
 * A build's SBOM as {@code cosign attach sbom} stores it next to the image: tag {@code sha256-<hex>.sbom} in the
 * image's repository, an OCI image manifest whose one layer is the CycloneDX JSON ({@link CycloneDx#MEDIA_TYPE}) and
 * whose config is cosign's small one (the layout the signing service uses for {@code .sig}). Everything is derived
 * from the {@code build.completed} event and the pushed digest, so a redelivered event yields the same bytes and the
 * same manifest digest, also after a restart.
 */
public record SbomAttachment(String tag, byte[] sbom, byte[] config, byte[] manifest) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The attachment of the image {@code registry/repository@digest} that {@code event} built. */
    public static SbomAttachment of(BuildCompleted event, String registry, String repository, String digest) {
        Nvr nvr = event.nvr();
        CycloneDx.Subject subject = new CycloneDx.Subject(event.buildId(), nvr.name(),
                nvr.release() == null ? nvr.version() : nvr.version() + "-" + nvr.release(), event.imageId(),
                event.parentImage(), event.parentDigest(), null, null, null).at(registry, repository, digest);
        byte[] sbom = CycloneDx.json(subject, event.contentManifest(), event.time());
        String layerDigest = RegistryClient.sha256(sbom);
        ObjectNode layer = JSON.createObjectNode();
        layer.put("mediaType", CycloneDx.MEDIA_TYPE);
        layer.put("size", sbom.length);
        layer.put("digest", layerDigest);
        byte[] config = CosignFormat.config(List.of(layerDigest));
        return new SbomAttachment(tag(digest), sbom, config, CosignFormat.manifest(config, List.<JsonNode>of(layer)));
    }

    /** cosign's tag for the SBOM of {@code digest}: {@code sha256-<hex>.sbom}. */
    public static String tag(String digest) {
        return digest.replace(':', '-') + ".sbom";
    }

    public String sbomDigest() {
        return RegistryClient.sha256(sbom);
    }

    public String configDigest() {
        return RegistryClient.sha256(config);
    }

    public String manifestDigest() {
        return RegistryClient.sha256(manifest);
    }
}
