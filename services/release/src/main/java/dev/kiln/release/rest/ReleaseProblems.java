package dev.kiln.release.rest;

import dev.kiln.release.service.ReleaseException;
import dev.kiln.support.rest.Problem;
import dev.kiln.support.rest.ProblemMappers;
import jakarta.ws.rs.core.Response;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Release's own refusals as problem documents; everything else (JSON, routes, media types, the unexpected) is answered
 * by service-support's shared mappers ({@code ProblemMappers}).
 */
public class ReleaseProblems {
    @ServerExceptionMapper
    public Response release(ReleaseException e) {
        return switch (e.kind()) {
            case UNKNOWN_BUILD -> Problem.response(404, "Unknown build", e.getMessage());
            case NOT_PROMOTABLE -> Problem.response(409, "Not promotable", e.getMessage());
            case UNKNOWN_TARGET, INVALID -> Problem.response(400, "Bad Request", e.getMessage());
            case COPY_FAILED -> Problem.response(502, "Promotion failed", e.getMessage());
            case GATE_CLOSED -> withDecision("Gate closed", e);
            case DECISION_FINAL -> withDecision("Decision final", e);
        };
    }

    /** A 409 that carries the gate's decision (policy and requirements) beside the sentence. */
    private static Response withDecision(String title, ReleaseException e) {
        Problem p = Problem.of(409, title, e.getMessage());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", p.type());
        body.put("title", p.title());
        body.put("status", p.status());
        body.put("detail", p.detail());
        e.decision().ifPresent(d -> {
            body.put("policyId", d.policyId());
            body.put("satisfiedRequirements", d.satisfiedRequirements());
            body.put("unsatisfiedRequirements", d.unsatisfiedRequirements());
        });
        return Response.status(409).type(Problem.MEDIA_TYPE).entity(body).build();
    }
}
