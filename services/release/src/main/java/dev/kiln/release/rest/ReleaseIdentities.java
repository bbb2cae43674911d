package dev.kiln.release.rest;

import dev.kiln.release.domain.Principal;
import dev.kiln.release.service.HubUnavailableException;
import dev.kiln.release.service.TokenAuthority;
import dev.kiln.support.auth.TokenIdentities;
import dev.kiln.support.auth.TokenIdentity;
import dev.kiln.support.rest.ProblemException;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Set;
import java.util.TreeSet;

/**
 * Release's tokens for service-support's bearer-token mechanism: the hub says whose a token is (see
 * {@link TokenAuthority}). Endpoints say {@code @RolesAllowed({"release-engineer", "admin"})}: the hub's admins may
 * do everything. 503 when the hub cannot be asked.
 */
@ApplicationScoped
public class ReleaseIdentities implements TokenIdentities {
    private final TokenAuthority tokens;

    public ReleaseIdentities(TokenAuthority tokens) {
        this.tokens = tokens;
    }

    @Override
    public String realm() {
        return "kiln";
    }

    @Override
    public TokenIdentity identify(String token) {
        Principal p;
        try {
            p = tokens.authenticate(token).orElseThrow(() -> new ProblemException(401, "Unauthorized",
                    "the token is not known to the hub: ask an admin for a new one (kiln token create --user <you> "
                            + "--role " + Principal.RELEASE_ENGINEER + ") and log in again (kiln login)"));
        } catch (HubUnavailableException e) {
            throw new ProblemException(503, "Hub unavailable", "release asks the hub (build-submission) whose a token "
                    + "is, and " + e.getMessage() + "; try again when the hub is up (kiln status)");
        }
        return new TokenIdentity(p.user(), Set.of(p.role()), p);
    }

    @Override
    public ProblemException missingToken(Set<String> roles) {
        return new ProblemException(401, "Unauthorized", "this request needs a token: send 'Authorization: Bearer "
                + "<token>' (kiln login, or KILN_TOKEN); an admin creates one with kiln token create --role "
                + role(roles));
    }

    @Override
    public ProblemException forbidden(TokenIdentity who, Set<String> roles) {
        Principal p = who.details(Principal.class);
        String role = role(roles);
        return new ProblemException(403, "Forbidden", "only role " + role + " (or admin) may do this; " + p.user()
                + " has role " + p.role() + ": ask an admin for a " + role + " token");
    }

    /** The role an endpoint is for, besides admin. */
    private static String role(Set<String> roles) {
        Set<String> named = new TreeSet<>(roles);
        named.remove(Principal.ADMIN);
        return named.isEmpty() ? Principal.RELEASE_ENGINEER : String.join(" or ", named);
    }
}
