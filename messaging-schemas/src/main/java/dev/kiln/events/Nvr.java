package dev.kiln.events;

/**
 * Name-version-release of a build, from the {@code name}, {@code version} and {@code release} labels.
 * {@code release} may be null for a scratch build, which reserves no NVR.
 */
public record Nvr(String name, String version, String release) {
    public Nvr {
        Require.text(name, "nvr.name");
        Require.text(version, "nvr.version");
        if (release != null && release.isBlank()) {
            throw new IllegalArgumentException("nvr.release must not be blank when present");
        }
    }

    /** {@code name-version-release}, or {@code name-version} when there is no release. */
    @Override
    public String toString() {
        return release == null ? name + "-" + version : name + "-" + version + "-" + release;
    }
}
