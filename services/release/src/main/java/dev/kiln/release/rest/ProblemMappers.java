package dev.kiln.release.rest;

import dev.kiln.release.service.ReleaseException;
import jakarta.ws.rs.WebApplicationException;
import java.util.LinkedHashMap;
import java.util.Map;
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
    public Response mapRelease(ReleaseException e) {
        return switch (e.kind()) {
            case UNKNOWN_BUILD -> Problem.response(404, "Unknown build", e.getMessage());
            case NOT_PROMOTABLE -> Problem.response(409, "Not promotable", e.getMessage());
            case UNKNOWN_TARGET, INVALID -> Problem.response(400, "Bad Request", e.getMessage());
            case COPY_FAILED -> Problem.response(502, "Promotion failed", e.getMessage());
            case GATE_CLOSED -> {
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("type", "https://kiln.dev/problems/gate-closed");
                body.put("title", "Gate closed");
                body.put("status", 409);
                body.put("detail", e.getMessage());
                e.decision().ifPresent(d -> {
                    body.put("policyId", d.policyId());
                    body.put("satisfiedRequirements", d.satisfiedRequirements());
                    body.put("unsatisfiedRequirements", d.unsatisfiedRequirements());
                });
                yield Response.status(409).type(Problem.MEDIA_TYPE).entity(body).build();
            }
        };
    }

    @ServerExceptionMapper
    public Response mapOther(Exception e) {
        LOG.error("REST request failed", e);
        return Problem.response(500, "Internal Server Error", "the release service failed: " + e.getClass().getSimpleName());
    }
}
