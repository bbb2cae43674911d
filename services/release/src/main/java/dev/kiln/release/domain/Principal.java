package dev.kiln.release.domain;

/** Who called the REST API, as the hub names the bearer token's owner. */
public record Principal(String user, String role) {
    public static final String RELEASE_ENGINEER = "release-engineer";
    public static final String ADMIN = "admin";
}
