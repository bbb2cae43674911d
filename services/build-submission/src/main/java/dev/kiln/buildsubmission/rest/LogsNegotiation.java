package dev.kiln.buildsubmission.rest;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * {@code GET /api/v1/builds/{id}/logs} follows the log (Server-Sent Events) only when the client asks for
 * {@code text/event-stream}; any other Accept (none, {@code *}{@code /*}, browsers) gets the plain text so far.
 */
public class LogsNegotiation {

    @ServerRequestFilter(preMatching = true)
    public void plainUnlessEventStream(ContainerRequestContext request) {
        if (!"GET".equals(request.getMethod()) || !request.getUriInfo().getPath().endsWith("/logs")) {
            return;
        }
        String accept = request.getHeaderString(HttpHeaders.ACCEPT);
        if (accept == null || !accept.toLowerCase(java.util.Locale.ROOT).contains(MediaType.SERVER_SENT_EVENTS)) {
            request.getHeaders().putSingle(HttpHeaders.ACCEPT, MediaType.TEXT_PLAIN);
        }
    }
}
