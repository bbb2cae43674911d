package dev.kiln.release.rest;

import dev.kiln.release.domain.Principal;
import dev.kiln.release.service.HubUnavailableException;
import dev.kiln.release.service.TokenAuthority;
import dev.kiln.support.rest.BearerToken;
import dev.kiln.support.rest.Problem;
import jakarta.inject.Inject;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.util.Optional;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Bearer tokens on the REST API, checked before the request body is read: the hub says whose a token is (see
 * {@link TokenAuthority}). 401 without a token the hub knows, 403 when its role is not the one the endpoint requires
 * ({@link RequiresRole}; admin may do everything), 503 when the hub cannot be asked.
 */
public class BearerAuth {
    @Inject
    TokenAuthority tokens;

    @Inject
    Caller caller;

    @ServerRequestFilter(priority = Priorities.AUTHENTICATION)
    public Optional<Response> authorize(ContainerRequestContext request, ResourceInfo resource) {
        RequiresRole required = resource.getResourceMethod() == null ? null
                : resource.getResourceMethod().getAnnotation(RequiresRole.class);
        if (required == null) {
            return Optional.empty();
        }
        Optional<String> token = BearerToken.from(request.getHeaderString(HttpHeaders.AUTHORIZATION));
        if (token.isEmpty()) {
            return Optional.of(unauthorized("this request needs a token: send 'Authorization: Bearer <token>' "
                    + "(kiln login, or KILN_TOKEN); an admin creates one with kiln token create --role " + required.value()));
        }
        Optional<Principal> principal;
        try {
            principal = tokens.authenticate(token.get());
        } catch (HubUnavailableException e) {
            return Optional.of(Problem.response(503, "Hub unavailable", "release asks the hub (build-submission) whose "
                    + "a token is, and " + e.getMessage() + "; try again when the hub is up (kiln status)"));
        }
        if (principal.isEmpty()) {
            return Optional.of(unauthorized("the token is not known to the hub: ask an admin for a new one "
                    + "(kiln token create --user <you> --role " + required.value() + ") and log in again (kiln login)"));
        }
        Principal p = principal.get();
        if (!p.holds(required.value())) {
            return Optional.of(Problem.response(403, "Forbidden", "only role " + required.value() + " (or admin) may do this; "
                    + p.user() + " has role " + p.role() + ": ask an admin for a " + required.value() + " token"));
        }
        caller.set(p);
        return Optional.empty();
    }

    private static Response unauthorized(String detail) {
        return Problem.unauthorized("kiln", detail);
    }
}
