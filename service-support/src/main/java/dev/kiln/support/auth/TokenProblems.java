package dev.kiln.support.auth;

import dev.kiln.support.rest.ProblemException;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.lang.reflect.Method;
import java.util.Set;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Quarkus Security's refusals as problem answers in the service's own words ({@link TokenIdentities}): 401 with a
 * {@code Bearer} challenge for no token or an unknown one, 403 for a token without the endpoint's role, and whatever
 * the identities answered (e.g. 503 when the hub cannot be asked).
 */
public class TokenProblems {
    @Inject
    Instance<TokenIdentities> identities;

    @Inject
    SecurityIdentity identity;

    @ServerExceptionMapper
    public Response authenticationFailed(AuthenticationFailedException e, ResourceInfo resource) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ProblemException p) {
                return response(p);
            }
        }
        return response(identities.get().missingToken(roles(resource)));
    }

    @ServerExceptionMapper
    public Response unauthorized(UnauthorizedException e, ResourceInfo resource) {
        return response(identities.get().missingToken(roles(resource)));
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e, ResourceInfo resource) {
        return response(identities.get().forbidden(TokenIdentity.of(identity), roles(resource)));
    }

    private Response response(ProblemException p) {
        Response r = p.problem().toResponse();
        if (p.status() != 401) {
            return r;
        }
        return Response.fromResponse(r)
                .header(HttpHeaders.WWW_AUTHENTICATE, BearerTokenMechanism.challenge(identities.get().realm())).build();
    }

    /** The roles the endpoint allows; empty for {@code @Authenticated}. */
    private static Set<String> roles(ResourceInfo resource) {
        Method method = resource == null ? null : resource.getResourceMethod();
        if (method == null) {
            return Set.of();
        }
        RolesAllowed allowed = method.getAnnotation(RolesAllowed.class);
        if (allowed == null) {
            allowed = method.getDeclaringClass().getAnnotation(RolesAllowed.class);
        }
        return allowed == null ? Set.of() : Set.of(allowed.value());
    }
}
