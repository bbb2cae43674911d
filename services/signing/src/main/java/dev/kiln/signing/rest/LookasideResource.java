package dev.kiln.signing.rest;

import dev.kiln.signing.service.LookasideStore;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * The containers/image lookaside store ("sigstore" in older docs): {@code GET /lookaside/<repository>@sha256=<hex>/signature-N}
 * returns the N-th OpenPGP simple signature of that image; a client reads N = 1, 2, ... until it gets 404.
 */
@Path("/lookaside")
public class LookasideResource {
    @Inject
    LookasideStore store;

    @GET
    @Path("/{path: .+}")
    @Produces({MediaType.APPLICATION_OCTET_STREAM, Problem.MEDIA_TYPE})
    public Response signature(@PathParam("path") String path) {
        return store.signature(path).map(bytes -> Response.ok(bytes, MediaType.APPLICATION_OCTET_STREAM).build())
                .orElseGet(() -> Problem.response(404, "Not Found", "no signature at " + path
                        + " (expected <repository>@sha256=<hex>/signature-<N>, N from 1)"));
    }
}
