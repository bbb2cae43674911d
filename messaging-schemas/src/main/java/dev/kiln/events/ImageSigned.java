package dev.kiln.events;

import java.time.Instant;

/**
 * {@code reference} (registry/repository:tag) at {@code digest} was signed. {@code format} is {@code cosign} or
 * {@code simple-signing}; {@code signatureLocation} names where the signature lives (a registry tag or a URL).
 */
public record ImageSigned(String buildId, String registry, String repository, String reference, String digest,
        String format, String keyId, String signatureLocation, Instant time) implements KilnEvent {
    public ImageSigned {
        Require.text(buildId, "buildId");
        Require.text(registry, "registry");
        Require.text(repository, "repository");
        Require.text(reference, "reference");
        Require.digest(digest, "digest");
        Require.text(format, "format");
        if (!format.equals("cosign") && !format.equals("simple-signing")) {
            throw new IllegalArgumentException("format must be cosign or simple-signing, got: " + format);
        }
        Require.text(keyId, "keyId");
        Require.text(signatureLocation, "signatureLocation");
        Require.present(time, "time");
    }
}
