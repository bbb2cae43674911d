package dev.kiln.qa.rest;

import dev.kiln.qa.service.HookResults;
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
 * Hook tokens ({@code kiln.qa.hook-tokens}) on {@link HookToken} endpoints, checked before the request body is read:
 * 401 without a bearer token, 403 for a token that is not a hook's. The hook's name is then the request's
 * {@link HookCaller}.
 */
public class HookAuth {
    @Inject
    HookResults hooks;

    @Inject
    HookCaller caller;

    @ServerRequestFilter(priority = Priorities.AUTHENTICATION)
    public Optional<Response> authorize(ContainerRequestContext request, ResourceInfo resource) {
        if (resource.getResourceMethod() == null || !resource.getResourceMethod().isAnnotationPresent(HookToken.class)) {
            return Optional.empty();
        }
        try {
            caller.set(hooks.authorize(request.getHeaderString(HttpHeaders.AUTHORIZATION)));
            return Optional.empty();
        } catch (HookResults.Refused e) {
            return Optional.of(e.status() == 401 ? Problem.unauthorized("kiln-qa", e.detail()) : e.problem().toResponse());
        }
    }
}
