package dev.kiln.release.rest;

import dev.kiln.events.EventCodec;
import dev.kiln.release.service.ReleaseService;
import dev.kiln.support.rest.Params;
import dev.kiln.support.rest.Problem;
import dev.kiln.support.text.Excerpt;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.stream.Collectors;

/** The gate's last decision per build, or per subject digest. */
@Path("/api/v1/decisions")
public class DecisionsResource {
    @Inject
    ReleaseService release;

    @GET
    @Path("/{buildId}")
    @Produces({MediaType.APPLICATION_JSON, Problem.MEDIA_TYPE})
    public Response decision(@PathParam("buildId") String buildId) {
        Params.text("buildId", buildId, 128);
        return release.lastDecision(buildId)
                .map(d -> Response.ok(EventCodec.encode(d), MediaType.APPLICATION_JSON).build())
                .orElseGet(() -> Problem.response(404, "Unknown decision", "no gating decision was made for build " + Excerpt.of(buildId)
                        + " (unknown build, or its image.pushed has not arrived yet)"));
    }

    /** Every build's last decision for the subject {@code digest} (a JSON array of GatingDecision). */
    @GET
    @Produces({MediaType.APPLICATION_JSON, Problem.MEDIA_TYPE})
    public Response byDigest(@QueryParam("digest") String digest) {
        Params.digest("digest", digest);
        var decisions = release.decisionsForDigest(digest);
        if (decisions.isEmpty()) {
            return Problem.response(404, "Unknown decision", "no gating decision was made for a subject with digest " + digest);
        }
        String json = decisions.stream().map(EventCodec::encode).collect(Collectors.joining(",", "[", "]"));
        return Response.ok(json, MediaType.APPLICATION_JSON).build();
    }
}
