package dev.kiln.support.rest;

import java.util.Optional;

/** The token of an {@code Authorization: Bearer <token>} header, the one way every service reads it. */
public final class BearerToken {
    private BearerToken() {
    }

    /** The token; empty when the header is missing, not a bearer header or carries a blank token. */
    public static Optional<String> from(String authorization) {
        if (authorization == null) {
            return Optional.empty();
        }
        String header = authorization.strip();
        if (header.length() <= 7 || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.empty();
        }
        String token = header.substring(7).strip();
        return token.isEmpty() ? Optional.empty() : Optional.of(token);
    }
}
