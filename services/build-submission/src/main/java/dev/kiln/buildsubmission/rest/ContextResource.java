package dev.kiln.buildsubmission.rest;

import dev.kiln.buildsubmission.service.ContextService;
import dev.kiln.buildsubmission.service.SubmissionException;
import dev.kiln.events.Digest;
import dev.kiln.support.text.Excerpt;
import io.quarkus.security.Authenticated;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.InputStream;
import java.net.URI;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Build context archives: uploaded by the CLI, fetched by container-build. */
@Path("/api/v1/contexts")
@Tag(name = "contexts")
public class ContextResource {
    private final ContextService contexts;

    public ContextResource(ContextService contexts) {
        this.contexts = contexts;
    }

    @POST
    @Consumes({ "application/x-tar", "application/gzip", "application/x-gzip", "application/tar+gzip",
            MediaType.APPLICATION_OCTET_STREAM })
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Upload a build context archive (tar or tar.gz; token needed)")
    @Blocking
    @Authenticated
    public Response upload(InputStream body, @HeaderParam("Content-Length") Long contentLength) {
        ContextService.StoredContext stored = contexts.upload(body, contentLength == null ? -1 : contentLength);
        return Response.created(URI.create("/api/v1/contexts/" + stored.digest()))
                .entity(Map.of("digest", stored.digest(), "size", stored.size())).build();
    }

    @GET
    @Blocking
    @Path("/{digest}")
    @Produces(MediaType.APPLICATION_OCTET_STREAM)
    @Operation(summary = "The archive bytes (open to everyone: container-build and qa fetch it)")
    public Response get(@PathParam("digest") String digest) {
        Params.text(digest, "digest", 71);
        if (!Digest.isSha256(digest)) {
            throw SubmissionException.invalid("Invalid digest", "the digest in the path must look like "
                    + "sha256:<64 lowercase hex digits>, got " + Excerpt.of(digest));
        }
        InputStream in = contexts.open(digest).orElseThrow(() -> SubmissionException.notFound(
                "Build context not found", "no build context " + digest + " was uploaded"));
        StreamingOutput body = out -> {
            try (in) {
                in.transferTo(out);
            }
        };
        return Response.ok(body, MediaType.APPLICATION_OCTET_STREAM_TYPE).build();
    }
}
