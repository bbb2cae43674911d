package dev.kiln.qa.rest;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.kiln.events.QaOutcome;
import dev.kiln.qa.domain.StoredResult;
import dev.kiln.qa.service.HookResults;
import dev.kiln.qa.store.QaDatabase;
import dev.kiln.support.rest.Params;
import io.smallrye.common.annotation.Blocking;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.Arrays;
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

    @Inject
    HookCaller caller;

    /** Results (newest first) filtered by subject digest, test case, reporter, outcome; at most {@code limit} (1 to 1000). */
    @GET
    public Map<String, List<ResultJson>> results(@QueryParam("digest") String digest, @QueryParam("testcase") String testCase,
            @QueryParam("reporter") String reporter, @QueryParam("outcome") String outcome, @QueryParam("limit") String limit) {
        String d = Params.optionalDigest("digest", digest).orElse(null);
        String t = Params.text("testcase", testCase, 128);
        String r = Params.text("reporter", reporter, 128);
        String o = Params.oneOf("outcome", outcome, Arrays.stream(QaOutcome.values()).map(Enum::name).toList());
        int max = Params.integer("limit", limit, 200, 1, 1000);
        return Map.of("data", db.results(d, t, r, o == null ? null : QaOutcome.valueOf(o), max).stream()
                .map(ResultJson::of).toList());
    }

    /** The newest result of every test case (and reporter) of a subject digest. */
    @GET
    @Path("/latest")
    public Map<String, List<ResultJson>> latest(@QueryParam("digest") String digest) {
        return Map.of("data", db.latest(Params.digest("digest", digest)).stream().map(ResultJson::of).toList());
    }

    @GET
    @Path("/{id}")
    public ResultJson result(@PathParam("id") String id) {
        long n = Params.integer("id", id, 0, 1, Integer.MAX_VALUE);
        return db.result(n).map(ResultJson::of).orElseThrow(() -> new NotFoundException("no result " + n));
    }

    /** A QA hook reports a result: stored, then published as {@code kiln.qa.result} with the hook as reporter. */
    @POST
    @RolesAllowed(HookIdentities.ROLE)
    @Consumes(MediaType.APPLICATION_JSON)
    public Response submit(ResultBody body, @Context UriInfo uri) {
        String hook = caller.hook();
        HookResults.Submission s = body == null ? null
                : new HookResults.Submission(body.testcase(), body.outcome(), body.note(), body.refUrl(), body.item(), body.buildId());
        StoredResult stored = hooks.submit(hook, s);
        return Response.created(uri.getAbsolutePathBuilder().path(Long.toString(stored.id())).build())
                .entity(ResultJson.of(stored)).build();
    }
}
