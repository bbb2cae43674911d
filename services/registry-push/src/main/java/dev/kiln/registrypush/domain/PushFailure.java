package dev.kiln.registrypush.domain;

/**
 * Why one push attempt failed: a stable reason code for {@code kiln.build.failed}, a detail for the maintainer and
 * whether trying again may help.
 */
public record PushFailure(String reason, String detail, boolean transientFailure) {
    public static final String IMAGE_MISSING = "image-missing";
    public static final String REGISTRY_UNAVAILABLE = "registry-unavailable";
    public static final String REGISTRY_AUTH_FAILED = "registry-auth-failed";
    public static final String DOCKER_UNAVAILABLE = "docker-unavailable";
    public static final String DOCKER_TLS_REQUIRED = "docker-tls-required";
    public static final String INVALID_IMAGE_NAME = "invalid-image-name";
    public static final String PUSH_REJECTED = "push-rejected";
    public static final String DIGEST_MISMATCH = "digest-mismatch";
    /** The configuration the registry would serve is not the daemon's: its digest is not the built image's id. */
    public static final String CONFIG_MISMATCH = "config-mismatch";
    public static final String SBOM_ATTACH_FAILED = "sbom-attach-failed";
    public static final String PROVENANCE_ATTACH_FAILED = "provenance-attach-failed";
}
