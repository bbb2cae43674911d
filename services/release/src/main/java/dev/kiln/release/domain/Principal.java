package dev.kiln.release.domain;

/** Who called the REST API, as the hub names the bearer token's owner. */
public record Principal(String user, String role) {
    public static final String RELEASE_ENGINEER = "release-engineer";
    public static final String ADMIN = "admin";

    /** Whether this principal may act as {@code required}: the hub's admins may do everything. */
    public boolean holds(String required) {
        return required.equals(role) || ADMIN.equals(role);
    }
}
