package dev.kiln.buildsubmission.auth;

import dev.kiln.buildsubmission.domain.Caller;
import dev.kiln.support.auth.TokenIdentities;
import dev.kiln.support.auth.TokenIdentity;
import dev.kiln.support.rest.ProblemException;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Set;

/**
 * The hub's tokens for service-support's bearer-token mechanism: {@link AuthService} knows them. Endpoints say
 * {@code @Authenticated} (any token) or {@code @RolesAllowed("admin")}; {@link RequestCaller} gives the caller.
 */
@ApplicationScoped
public class HubIdentities implements TokenIdentities {
    private static final String NOT_AUTHENTICATED = "Not authenticated";

    private final AuthService auth;

    public HubIdentities(AuthService auth) {
        this.auth = auth;
    }

    @Override
    public String realm() {
        return "kiln";
    }

    @Override
    public TokenIdentity identify(String token) {
        Caller caller = auth.identify(token).orElseThrow(() -> new ProblemException(401, NOT_AUTHENTICATED,
                "the token is not known to this hub: ask an admin for a new one (kiln token create) and log in again "
                        + "(kiln login)"));
        return new TokenIdentity(caller.user(), Set.of(caller.role().wireName()), caller);
    }

    @Override
    public ProblemException missingToken(Set<String> roles) {
        return new ProblemException(401, NOT_AUTHENTICATED,
                "this request needs a token: send 'Authorization: Bearer <token>' (kiln login, or KILN_TOKEN)");
    }

    @Override
    public ProblemException forbidden(TokenIdentity who, Set<String> roles) {
        Caller caller = who.details(Caller.class);
        return new ProblemException(403, "Admin only", caller.user() + " has role " + caller.role()
                + "; only an admin may do this");
    }
}
