package dev.kiln.buildsubmission.rest;

import dev.kiln.buildsubmission.service.AuthService;
import dev.kiln.buildsubmission.service.SubmissionException;
import jakarta.inject.Inject;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.util.Optional;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Tokens on {@link TokenRequired} endpoints, checked by {@link AuthService} before the request body is read: a garbage
 * body without a token is 401, not 400. Roles are {@link AuthService}'s: 401 without a known token, 403 when an
 * admin is required and the caller is not one.
 */
public class HubAuth {
    @Inject
    AuthService auth;

    @Inject
    RequestCaller caller;

    @ServerRequestFilter(priority = Priorities.AUTHENTICATION)
    public Optional<Response> authorize(ContainerRequestContext request, ResourceInfo resource) {
        TokenRequired required = resource.getResourceMethod() == null ? null
                : resource.getResourceMethod().getAnnotation(TokenRequired.class);
        if (required == null) {
            return Optional.empty();
        }
        String authorization = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        try {
            caller.set(required.admin() ? auth.requireAdmin(authorization) : auth.require(authorization));
            return Optional.empty();
        } catch (SubmissionException e) {
            return Optional.of(HubProblems.response(e));
        }
    }
}
