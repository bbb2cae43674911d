package dev.kiln.release.service;

import dev.kiln.release.domain.Principal;
import java.util.Optional;

/** Who a bearer token belongs to; {@link HubTokens} asks the hub. */
public interface TokenAuthority {
    /**
     * The principal of {@code token}, or empty when the token is unknown.
     *
     * @throws HubUnavailableException when the answer cannot be had
     */
    Optional<Principal> authenticate(String token);
}
