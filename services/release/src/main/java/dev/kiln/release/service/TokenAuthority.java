package dev.kiln.release.service;

import dev.kiln.release.domain.Principal;
import java.util.Optional;

/**
 * Who a bearer token belongs to. Today {@link ConfiguredTokens} (from {@code kiln.release.tokens}); the hub will own
 * tokens later, and another implementation of this interface (asking the hub) replaces it without touching callers.
 */
public interface TokenAuthority {
    /** The principal of {@code token}, or empty when the token is unknown. */
    Optional<Principal> authenticate(String token);
}
