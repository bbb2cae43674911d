package dev.kiln.buildsubmission.rest;

import dev.kiln.buildsubmission.domain.Build;
import dev.kiln.buildsubmission.service.Submission;
import dev.kiln.buildsubmission.service.SubmissionException;
import dev.kiln.buildsubmission.service.SubmissionService;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.List;

/** Submitting, reading, listing and canceling builds. */
@Path("/api/v1/builds")
@Produces(MediaType.APPLICATION_JSON)
public class BuildResource {
    private final SubmissionService service;

    public BuildResource(SubmissionService service) {
        this.service = service;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response submit(SubmitBuildBody body) {
        if (body == null) {
            throw SubmissionException.invalid("Missing body", "send a JSON object with \"context\" or \"git\"");
        }
        Build b = service.submit(new Submission(body.component(),
                body.context() == null ? null : nonNull(body.context().digest(), "context.digest"),
                body.git() == null ? null : nonNull(body.git().url(), "git.url"),
                body.git() == null ? null : body.git().ref(),
                body.dockerfile(), body.scratch(), body.requester()));
        return Response.created(URI.create("/api/v1/builds/" + b.id())).entity(BuildJson.of(b)).build();
    }

    @GET
    @Path("/{id}")
    public BuildJson get(@PathParam("id") String id) {
        return service.find(id).map(BuildJson::of).orElseThrow(() -> notFound(id));
    }

    @GET
    public List<BuildJson> list(@QueryParam("component") String component, @QueryParam("state") String state,
            @QueryParam("limit") Integer limit) {
        return service.list(component, state, limit).stream().map(BuildJson::of).toList();
    }

    @GET
    @Path("/{id}/logs")
    @Produces(MediaType.TEXT_PLAIN)
    public String logs(@PathParam("id") String id) {
        List<String> lines = service.logs(id);
        return lines.isEmpty() ? "" : String.join("\n", lines) + "\n";
    }

    @POST
    @Path("/{id}/cancel")
    public Response cancel(@PathParam("id") String id, @QueryParam("requester") String requester) {
        return Response.accepted(BuildJson.of(service.cancel(id, requester))).build();
    }

    private static String nonNull(String value, String field) {
        if (value == null || value.isBlank()) {
            throw SubmissionException.invalid("Missing " + field, field + " must be given");
        }
        return value;
    }

    private static SubmissionException notFound(String id) {
        return SubmissionException.notFound("Build not found", "there is no build " + id);
    }
}
