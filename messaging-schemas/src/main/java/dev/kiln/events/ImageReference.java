package dev.kiln.events;

import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * An image reference as distribution's reference grammar reads it: {@code [REGISTRY/]REPOSITORY[:TAG][@DIGEST]}.
 * The first path component is the registry when it has a dot or a colon or is {@code localhost} (Docker's rule);
 * without one the image is Docker Hub's. A reference with both a tag and a digest means the digest. The one parser
 * of references in Kiln.
 *
 * @param registry host[:port], or null for Docker Hub
 * @param repository the path, lower case ({@code base/busybox})
 * @param tag the tag, or null
 * @param digest the digest, or null
 */
public record ImageReference(String registry, String repository, String tag, Digest digest) {
    private static final Pattern REPOSITORY = Pattern.compile(
            "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*");
    private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
    private static final Pattern REGISTRY = Pattern.compile(
            "(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\\[[0-9A-Fa-f:.]+\\])"
                    + "(?::[0-9]+)?");

    public ImageReference {
        Objects.requireNonNull(repository, "repository");
        if (registry != null && !REGISTRY.matcher(registry).matches()) {
            throw new IllegalArgumentException("\"" + registry + "\" is not a registry host[:port]");
        }
        if (!REPOSITORY.matcher(repository).matches() || repository.length() > 255) {
            throw new IllegalArgumentException("\"" + repository + "\" is not a repository name (lower-case letters, "
                    + "digits and . _ - in path components separated by /)");
        }
        if (tag != null && !TAG.matcher(tag).matches()) {
            throw new IllegalArgumentException("\"" + tag + "\" is not a tag (letters, digits, _ . -, at most 128, not "
                    + "starting with . or -)");
        }
    }

    /** Parses a reference; the exception's message is a sentence saying what is wrong. */
    public static ImageReference parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("an image reference is [REGISTRY/]REPOSITORY[:TAG][@sha256:DIGEST]; "
                    + "got nothing");
        }
        String rest = text.strip();
        Digest digest = null;
        int at = rest.indexOf('@');
        if (at >= 0) {
            digest = Digest.parse(rest.substring(at + 1));
            rest = rest.substring(0, at);
        }
        String registry = null;
        int slash = rest.indexOf('/');
        if (slash > 0) {
            String first = rest.substring(0, slash);
            if (first.contains(".") || first.contains(":") || first.equals("localhost")) {
                registry = first;
                rest = rest.substring(slash + 1);
            }
        }
        String tag = null;
        int colon = rest.lastIndexOf(':');
        if (colon >= 0) {
            tag = rest.substring(colon + 1);
            rest = rest.substring(0, colon);
        }
        return new ImageReference(registry, rest, tag, digest);
    }

    /** {@code registry/repository} (or the repository alone for Docker Hub): what a tag or digest is added to. */
    public String name() {
        return registry == null ? repository : registry + "/" + repository;
    }

    public Optional<String> registryHost() {
        return Optional.ofNullable(registry);
    }

    /** What the reference points at inside its repository: the digest when there is one, else the tag. */
    public String tagOrDigest() {
        return digest != null ? digest.toString() : tag;
    }

    /** The tag or digest, with {@code latest} for a reference that names neither (Docker's default). */
    public String tagOrDigestOrLatest() {
        String t = tagOrDigest();
        return t == null ? "latest" : t;
    }

    /** The same repository at {@code digest} (tag dropped). */
    public ImageReference at(Digest digest) {
        return new ImageReference(registry, repository, null, Objects.requireNonNull(digest, "digest"));
    }

    /** The same repository at {@code tag}. */
    public ImageReference withTag(String tag) {
        return new ImageReference(registry, repository, tag, null);
    }

    @Override
    public String toString() {
        return name() + (tag != null ? ":" + tag : "") + (digest != null ? "@" + digest : "");
    }
}
