package dev.kiln.release.domain;

/** Who called the REST API, as a bearer token names them. */
public record Principal(String user, String role) {
    public static final String RELEASE_ENGINEER = "release-engineer";

    public boolean isReleaseEngineer() {
        return RELEASE_ENGINEER.equals(role);
    }
}
