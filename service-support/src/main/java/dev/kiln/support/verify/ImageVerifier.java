package dev.kiln.support.verify;

import dev.kiln.support.registry.RegistryClient;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.openpgp.PGPPublicKeyRing;

/**
 * What {@code kiln verify REFERENCE} does: resolve the reference to a digest, read the cosign {@code .sig} manifest
 * from the image's registry and the simple signatures from a lookaside store, and check each against the given keys.
 */
public final class ImageVerifier {
    private final LookasideClient lookaside = new LookasideClient();

    /** Everything found for one image; {@code anyValid} decides the exit code of {@code kiln verify}. */
    /** {@code problems}: what could not be read (e.g. an unreachable lookaside store); not signatures. */
    public record Report(String repository, String digest, List<SignatureVerifier.Finding> findings, List<String> problems) {
        public boolean anyValid() {
            return findings.stream().anyMatch(SignatureVerifier.Finding::valid);
        }

        public String describe() {
            StringBuilder out = new StringBuilder(repository + "@" + digest + ": ");
            if (findings.isEmpty()) {
                out.append("no signatures found");
            } else {
                out.append(findings.stream().filter(SignatureVerifier.Finding::valid).count()).append(" valid of ")
                        .append(findings.size()).append(" signature(s)");
                findings.forEach(f -> out.append("\n  ").append(f.describe()));
            }
            return out.toString();
        }
    }

    /**
     * @param registry the image's registry
     * @param repository repository inside it
     * @param tagOrDigest a tag or {@code sha256:...}
     * @param lookasideBase the lookaside store, e.g. {@code http://localhost:8084/lookaside}; empty: simple signatures not checked
     */
    public Report verify(RegistryClient registry, String repository, String tagOrDigest, List<PublicKey> cosignKeys,
            List<PGPPublicKeyRing> openPgpKeys, Optional<String> lookasideBase) {
        String digest = tagOrDigest.startsWith("sha256:") ? tagOrDigest
                : registry.getManifest(repository, tagOrDigest).map(RegistryClient.Manifest::digest)
                        .orElseThrow(() -> new IllegalArgumentException(registry.registry() + "/" + repository + ":" + tagOrDigest
                                + " does not exist"));
        String fullRepository = registry.registry() + "/" + repository;
        List<SignatureVerifier.Finding> findings = new ArrayList<>();
        String sigTag = digest.replace(':', '-') + ".sig";
        registry.getManifest(repository, sigTag).ifPresent(m -> findings.addAll(SignatureVerifier.cosign(m.bytes(),
                blob -> registry.getBlob(repository, blob), fullRepository, digest, cosignKeys, fullRepository + ":" + sigTag)));
        List<String> problems = new ArrayList<>();
        if (lookasideBase.isPresent()) {
            List<LookasideClient.Fetched> fetched;
            try {
                fetched = lookaside.fetchAll(lookasideBase.get(), repository, digest);
            } catch (RuntimeException e) {
                problems.add("the lookaside store " + lookasideBase.get() + " cannot be read: " + e.getMessage());
                fetched = List.of();
            }
            fetched.forEach(f -> findings.add(SignatureVerifier.simpleSigning(f.bytes(), fullRepository, digest, openPgpKeys, f.url())));
        }
        return new Report(fullRepository, digest, findings, List.copyOf(problems));
    }
}
