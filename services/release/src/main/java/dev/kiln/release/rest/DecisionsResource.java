package dev.kiln.release.rest;

import dev.kiln.events.EventCodec;
import dev.kiln.release.service.ReleaseService;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** The gate's last decision per build. */
@Path("/api/v1/decisions")
public class DecisionsResource {
    @Inject
    ReleaseService release;

    @GET
    @Path("/{buildId}")
    @Produces({MediaType.APPLICATION_JSON, Problem.MEDIA_TYPE})
    public Response decision(@PathParam("buildId") String buildId) {
        return release.lastDecision(buildId)
                .map(d -> Response.ok(EventCodec.encode(d), MediaType.APPLICATION_JSON).build())
                .orElseGet(() -> Problem.response(404, "Unknown decision", "no gating decision was made for build " + buildId
                        + " (unknown build, scratch build, or its image.pushed has not arrived yet)"));
    }
}
