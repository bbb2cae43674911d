package dev.kiln.release.rest;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Every REST error leaves as {@code application/problem+json}; no stack trace reaches a caller. */
public class ProblemMappers {
    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

    @ServerExceptionMapper
    public Response mapWebApplication(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        Response.Status.Family family = Response.Status.Family.familyOf(status);
        String title = Response.Status.fromStatusCode(status) != null ? Response.Status.fromStatusCode(status).getReasonPhrase() : "Error";
        return Problem.response(status, title, family == Response.Status.Family.SERVER_ERROR ? "the release service failed" : e.getMessage());
    }

    @ServerExceptionMapper
    public Response mapOther(Exception e) {
        LOG.error("REST request failed", e);
        return Problem.response(500, "Internal Server Error", "the release service failed: " + e.getClass().getSimpleName());
    }
}
