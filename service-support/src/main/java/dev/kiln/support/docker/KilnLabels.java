package dev.kiln.support.docker;

/**
 * The labels container-build injects into every image it builds (beside the OCI and Red Hat style ones), which the
 * later stages read back from the image's configuration.
 */
public final class KilnLabels {
    /** The Kiln build that produced the image. */
    public static final String BUILD_ID = "dev.kiln.build-id";
    /** The parent image as the Dockerfile named it. */
    public static final String PARENT_IMAGE = "dev.kiln.parent-image";
    /** The parent's manifest digest the build was pinned to. */
    public static final String PARENT_DIGEST = "dev.kiln.parent-digest";
    /** The uploaded context's digest, for builds from an uploaded context. */
    public static final String CONTEXT_DIGEST = "dev.kiln.context-digest";

    private KilnLabels() {
    }
}
