package dev.kiln.buildsubmission.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import dev.kiln.buildsubmission.service.SubmissionException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Every error becomes an {@code application/problem+json} answer; no stack trace reaches a client. */
public class ProblemMappers {
    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

    @ServerExceptionMapper
    public Response submission(SubmissionException e) {
        int status = switch (e.kind()) {
            case INVALID -> 400;
            case UNAUTHORIZED -> 401;
            case FORBIDDEN -> 403;
            case NOT_FOUND -> 404;
            case CONFLICT -> 409;
            case TOO_LARGE -> 413;
            case UNAVAILABLE -> 503;
        };
        if (status >= 500) {
            LOG.warnf("answering %d: %s", status, e.detail());
        }
        Response r = Problem.of(status, e.title(), e.detail()).toResponse();
        if (status == 401) {
            return Response.fromResponse(r).header("WWW-Authenticate", "Bearer realm=\"kiln\"").build();
        }
        return r;
    }

    @ServerExceptionMapper
    public Response json(JsonProcessingException e) {
        return Problem.of(400, "Malformed JSON", "the request body is not valid JSON for this endpoint: "
                + e.getOriginalMessage()).toResponse();
    }

    /** More specific than Quarkus' built-in mapper for this type, which answers 400 without a body. */
    @ServerExceptionMapper
    public Response mismatched(MismatchedInputException e) {
        return json(e);
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        int status = e.getResponse() == null ? 500 : e.getResponse().getStatus();
        Response.Status known = Response.Status.fromStatusCode(status);
        String title = known == null ? "HTTP " + status : known.getReasonPhrase();
        String detail = e.getMessage() == null ? title : e.getMessage();
        if (status == 400 && e.getCause() instanceof JsonProcessingException j) {
            return json(j);
        }
        return Problem.of(status, title, detail).toResponse();
    }

    @ServerExceptionMapper
    public Response unexpected(Throwable e) {
        LOG.error("unexpected error answering a request", e);
        return Problem.of(500, "Internal error", "the hub could not answer this request; its log has the details")
                .toResponse();
    }
}
