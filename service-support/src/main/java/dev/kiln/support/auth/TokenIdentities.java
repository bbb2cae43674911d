package dev.kiln.support.auth;

import dev.kiln.support.rest.ProblemException;
import java.util.Set;

/**
 * What a service's bearer tokens mean: the one source of identities a service plugs into
 * {@link BearerTokenMechanism} (the hub's token store; release asking the hub; qa's hook tokens). Endpoints declare
 * what they need with {@code @Authenticated} or {@code @RolesAllowed}; the refusals are this source's sentences.
 */
public interface TokenIdentities {
    /** The realm of the {@code WWW-Authenticate: Bearer} challenge. */
    String realm();

    /**
     * The identity a token stands for.
     *
     * @throws ProblemException 401 or 403 for a token that is not known, 503 when the identities cannot be asked
     */
    TokenIdentity identify(String token);

    /** The refusal (401) of a request without a token to an endpoint that needs one of {@code roles} (empty: any). */
    ProblemException missingToken(Set<String> roles);

    /** The refusal (403) of {@code who}, who holds none of {@code roles}. */
    ProblemException forbidden(TokenIdentity who, Set<String> roles);
}
