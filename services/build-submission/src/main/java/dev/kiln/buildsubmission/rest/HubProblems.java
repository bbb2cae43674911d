package dev.kiln.buildsubmission.rest;

import dev.kiln.buildsubmission.service.SubmissionException;
import dev.kiln.support.rest.Problem;
import dev.kiln.support.rest.ProblemMappers;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * The hub's own refusals ({@link SubmissionException}, kind → status) as problem documents; everything else (JSON,
 * routes, media types, the unexpected) is answered by service-support's shared mappers
 * ({@code ProblemMappers}).
 */
public class HubProblems {
    private static final Logger LOG = Logger.getLogger(HubProblems.class);

    @ServerExceptionMapper
    public Response submission(SubmissionException e) {
        return response(e);
    }

    static Response response(SubmissionException e) {
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
        if (status == 401) {
            return Problem.unauthorized("kiln", e.detail());
        }
        return Problem.response(status, e.title(), e.detail());
    }
}
