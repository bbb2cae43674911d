package dev.kiln.support.rest;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * A body-taking endpoint needs a Content-Type: without one, Quarkus would take any body, so the answer is 415 naming the
 * types the endpoint's {@code @Consumes} lists (a wrong type is refused by routing and answered the same way by
 * {@link ProblemMappers}). Runs after the token checks (priority {@link Priorities#AUTHENTICATION}), before the body is
 * read.
 */
public class ContentTypeCheck {
    private static final Set<String> WITH_BODY = Set.of("POST", "PUT", "PATCH");

    @ServerRequestFilter(priority = Priorities.HEADER_DECORATOR)
    public Optional<Response> requireContentType(ContainerRequestContext request, ResourceInfo resource) {
        Method method = resource.getResourceMethod();
        if (method == null || !WITH_BODY.contains(request.getMethod())) {
            return Optional.empty();
        }
        Consumes consumes = method.getAnnotation(Consumes.class);
        if (consumes == null && resource.getResourceClass() != null) {
            consumes = resource.getResourceClass().getAnnotation(Consumes.class);
        }
        String sent = request.getHeaderString(HttpHeaders.CONTENT_TYPE);
        if (consumes == null || (sent != null && !sent.isBlank())) {
            return Optional.empty();
        }
        Set<String> accepted = new LinkedHashSet<>();
        Arrays.stream(consumes.value()).flatMap(v -> Arrays.stream(v.split(","))).map(String::strip)
                .filter(v -> !v.isEmpty()).forEach(accepted::add);
        return Optional.of(ProblemMappers.unsupportedMediaType(sent, accepted));
    }
}
