package dev.kiln.cli.service;

import java.net.URI;

/**
 * An image reference as {@code kiln verify} takes it: {@code REGISTRY/REPOSITORY[:TAG]} or
 * {@code REGISTRY/REPOSITORY@sha256:HEX}. The registry part is mandatory (Kiln's images live in its own registries).
 */
public record ImageReference(String registry, String repository, String tagOrDigest) {

    public static ImageReference parse(String reference) {
        String r = reference.strip();
        int slash = r.indexOf('/');
        if (slash <= 0 || slash == r.length() - 1) {
            throw new IllegalArgumentException("'" + reference + "' is not REGISTRY/REPOSITORY[:TAG] or REGISTRY/REPOSITORY@sha256:…");
        }
        String registry = r.substring(0, slash);
        String rest = r.substring(slash + 1);
        String repository;
        String ref;
        int at = rest.indexOf('@');
        if (at >= 0) {
            repository = rest.substring(0, at);
            ref = rest.substring(at + 1);
            if (!ref.matches("sha256:[0-9a-f]{64}")) {
                throw new IllegalArgumentException("'" + ref + "' is not a digest (sha256:<64 hex digits>)");
            }
        } else {
            int colon = rest.lastIndexOf(':');
            repository = colon >= 0 ? rest.substring(0, colon) : rest;
            ref = colon >= 0 ? rest.substring(colon + 1) : "latest";
        }
        if (!repository.matches("[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*") || ref.isEmpty()) {
            throw new IllegalArgumentException("'" + reference + "' does not name a repository (lower-case, e.g. "
                    + "localhost:5001/hello:1.0-1)");
        }
        return new ImageReference(registry, repository, ref);
    }

    /** Plain http for a registry on this machine (localhost, 127.x, [::1]); https otherwise. */
    public URI baseUrl() {
        String host = registry.startsWith("[") ? registry.substring(0, registry.indexOf(']') + 1)
                : registry.contains(":") ? registry.substring(0, registry.indexOf(':')) : registry;
        boolean local = host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]");
        return URI.create((local ? "http://" : "https://") + registry);
    }
}
