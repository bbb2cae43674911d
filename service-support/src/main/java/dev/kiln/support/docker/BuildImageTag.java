package dev.kiln.support.docker;

import java.util.Locale;

/**
 * The tag a build's image has in its builder's daemon until it is safely in the candidate registry: container-build
 * tags the image with it (and finds an earlier run's image by it), registry-push removes it after the push.
 */
public final class BuildImageTag {
    private BuildImageTag() {
    }

    /** {@code kiln-build/<build id, lower-cased, other characters as '-'>:latest}. */
    public static String of(String buildId) {
        String repo = buildId.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]", "-");
        return "kiln-build/" + repo + ":latest";
    }
}
