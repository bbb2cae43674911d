package dev.kiln.support.auth;

import io.quarkus.security.identity.SecurityIdentity;
import java.util.Set;

/**
 * Who a bearer token stands for: a name, its roles (what {@code @RolesAllowed} checks) and the service's own record
 * of the caller ({@code details}, e.g. the hub's {@code Caller}).
 */
public record TokenIdentity(String name, Set<String> roles, Object details) {
    static final String ATTRIBUTE = "dev.kiln.token-identity";

    public TokenIdentity {
        roles = Set.copyOf(roles);
    }

    /** The identity {@link BearerTokenMechanism} authenticated for the current request. */
    public static TokenIdentity of(SecurityIdentity identity) {
        TokenIdentity found = identity == null || identity.isAnonymous() ? null : identity.getAttribute(ATTRIBUTE);
        if (found == null) {
            throw new IllegalStateException("no token identity: the endpoint lacks @Authenticated or @RolesAllowed");
        }
        return found;
    }

    /** The service's record of the caller. */
    public <T> T details(Class<T> type) {
        return type.cast(details);
    }
}
