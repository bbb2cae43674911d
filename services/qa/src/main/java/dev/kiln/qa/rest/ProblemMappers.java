package dev.kiln.qa.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.kiln.qa.service.HookResults;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Every error becomes an {@code application/problem+json} answer; no stack trace reaches a client. */
public class ProblemMappers {
    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

    @ServerExceptionMapper
    public Response refused(HookResults.Refused e) {
        Response r = Problem.of(e.status(), e.title(), e.getMessage()).toResponse();
        if (e.status() == 401) {
            return Response.fromResponse(r).header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"kiln-qa\"").build();
        }
        return r;
    }

    @ServerExceptionMapper
    public Response json(JsonProcessingException e) {
        return Problem.of(400, "Malformed JSON", "the request body is not valid JSON for this endpoint: "
                + e.getOriginalMessage()).toResponse();
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        int status = e.getResponse() == null ? 500 : e.getResponse().getStatus();
        if (status == 400 && e.getCause() instanceof JsonProcessingException j) {
            return json(j);
        }
        Response.Status known = Response.Status.fromStatusCode(status);
        String title = known == null ? "HTTP " + status : known.getReasonPhrase();
        String detail = e.getMessage() == null ? title : e.getMessage();
        return Problem.of(status, title, detail).toResponse();
    }

    @ServerExceptionMapper
    public Response unexpected(Throwable e) {
        LOG.error("unexpected error answering a request", e);
        return Problem.of(500, "Internal error", "qa could not answer this request; its log has the details").toResponse();
    }
}
