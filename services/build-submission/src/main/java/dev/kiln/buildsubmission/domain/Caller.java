package dev.kiln.buildsubmission.domain;

/** Who sent a request, as the token says. */
public record Caller(String user, Role role) {

    public boolean isAdmin() {
        return role == Role.ADMIN;
    }
}
