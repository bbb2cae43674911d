package dev.kiln.qa.rest;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.kiln.events.QaOutcome;
import dev.kiln.qa.client.QaDatabase;
import dev.kiln.qa.domain.StoredResult;
import dev.kiln.qa.service.HookResults;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.core.Context;
import io.smallrye.common.annotation.Blocking;
import java.util.List;
import java.util.Map;

/** The results store, ResultsDB style: query results, read one, and (for hooks with a token) add one. */
@Path("/api/v1/results")
@Produces(MediaType.APPLICATION_JSON)
@Blocking
public class ResultsResource {

    /** A hook's result. */
    public record ResultBody(String testcase, String outcome, String note, @JsonProperty("ref_url") String refUrl,
            String item, @JsonProperty("build_id") String buildId) {
    }

    @Inject
    QaDatabase db;

    @Inject
    HookResults hooks;

    /** Results (newest first) filtered by subject digest, test case, reporter, outcome. */
    @GET
    public Map<String, List<ResultJson>> results(@QueryParam("digest") String digest, @QueryParam("testcase") String testCase,
            @QueryParam("reporter") String reporter, @QueryParam("outcome") String outcome, @QueryParam("limit") Integer limit) {
        QaOutcome o = null;
        if (outcome != null) {
            try {
                o = QaOutcome.valueOf(outcome);
            } catch (IllegalArgumentException e) {
                throw new HookResults.Refused(400, "Bad Request", "outcome must be one of PASSED, FAILED, ERROR, "
                        + "NEEDS_INSPECTION, QUEUED, RUNNING");
            }
        }
        int max = limit == null ? 200 : Math.max(1, Math.min(limit, 1000));
        return Map.of("data", db.results(digest, testCase, reporter, o, max).stream().map(ResultJson::of).toList());
    }

    /** The newest result of every test case (and reporter) of a subject digest. */
    @GET
    @Path("/latest")
    public Map<String, List<ResultJson>> latest(@QueryParam("digest") String digest) {
        if (digest == null || digest.isBlank()) {
            throw new HookResults.Refused(400, "Bad Request", "give the subject digest: ?digest=sha256:…");
        }
        return Map.of("data", db.latest(digest).stream().map(ResultJson::of).toList());
    }

    @GET
    @Path("/{id}")
    public ResultJson result(@PathParam("id") long id) {
        return db.result(id).map(ResultJson::of).orElseThrow(() -> new NotFoundException("no result " + id));
    }

    /** A QA hook reports a result: stored, then published as {@code kiln.qa.result} with the hook as reporter. */
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response submit(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, ResultBody body,
            @Context UriInfo uri) {
        String hook = hooks.authorize(authorization);
        HookResults.Submission s = body == null ? null
                : new HookResults.Submission(body.testcase(), body.outcome(), body.note(), body.refUrl(), body.item(), body.buildId());
        StoredResult stored = hooks.submit(hook, s);
        return Response.created(uri.getAbsolutePathBuilder().path(Long.toString(stored.id())).build())
                .entity(ResultJson.of(stored)).build();
    }
}
