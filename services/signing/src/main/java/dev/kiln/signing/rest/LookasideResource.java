package dev.kiln.signing.rest;

import dev.kiln.signing.service.LookasideStore;
import dev.kiln.support.rest.Params;
import dev.kiln.support.rest.Problem;
import dev.kiln.support.rest.ProblemException;
import dev.kiln.support.text.Excerpt;
import dev.kiln.support.verify.SimpleSigningFormat;
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
        Params.text("path", path, 1024);
        if (SimpleSigningFormat.parseLookasidePath(path).isEmpty()) {
            throw ProblemException.badRequest("the path must be /lookaside/<repository>@sha256=<64 hex>/signature-<N> "
                    + "with N from 1, got " + Excerpt.of(path));
        }
        return store.signature(path).map(bytes -> Response.ok(bytes, MediaType.APPLICATION_OCTET_STREAM).build())
                .orElseGet(() -> Problem.response(404, "Not Found", "no signature at " + Excerpt.of(path)));
    }
}
