package dev.kiln.buildsubmission.rest;

import dev.kiln.buildsubmission.auth.RequestCaller;
import dev.kiln.buildsubmission.config.KilnConfig;
import dev.kiln.buildsubmission.domain.Build;
import dev.kiln.buildsubmission.domain.Caller;
import dev.kiln.buildsubmission.service.Submission;
import dev.kiln.buildsubmission.service.SubmissionException;
import dev.kiln.buildsubmission.service.SubmissionService;
import dev.kiln.support.sbom.CycloneDx;
import dev.kiln.support.text.Excerpt;
import io.quarkus.security.Authenticated;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.net.URI;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Submitting, reading, listing and canceling builds; their logs and state changes as Server-Sent Events. Reading is
 * open to everyone (like Koji's hub); submitting and canceling need a token.
 */
@Path("/api/v1/builds")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "builds")
public class BuildResource {
    private final SubmissionService service;
    private final RequestCaller requestCaller;
    private final BuildStreams streams;
    private final int fieldLength;

    public BuildResource(SubmissionService service, RequestCaller requestCaller, BuildStreams streams,
            KilnConfig config) {
        this.service = service;
        this.requestCaller = requestCaller;
        this.streams = streams;
        this.fieldLength = config.limits().fieldLength();
    }

    /** A build id from the path: no control characters, at most kiln.limits.field-length characters. */
    private String id(String id) {
        return Params.text(id, "build id", fieldLength, "kiln.limits.field-length");
    }

    private String query(String value, String name) {
        return Params.text(value, name, fieldLength, "kiln.limits.field-length");
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Authenticated
    @Operation(summary = "Submit a build from an uploaded context or a git source (token needed)")
    public Response submit(SubmitBuildBody body) {
        Caller caller = requestCaller.get();
        if (body == null) {
            throw SubmissionException.invalid("Missing body", "send a JSON object with \"context\" or \"git\"");
        }
        Build b = service.submit(new Submission(body.component(),
                body.context() == null ? null : nonNull(body.context().digest(), "context.digest"),
                body.git() == null ? null : nonNull(body.git().url(), "git.url"),
                body.git() == null ? null : body.git().ref(),
                body.dockerfile(), body.scratch(), body.requester()), caller);
        return Response.created(URI.create("/api/v1/builds/" + b.id())).entity(BuildJson.of(b)).build();
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "One build: states with times, NVR, source, images, layers, QA, signatures, promotion, "
            + "failure")
    public BuildJson get(@PathParam("id") String id) {
        return service.find(id(id)).map(BuildJson::of).orElseThrow(() -> notFound(id));
    }

    @GET
    @Operation(summary = "Builds, newest first, filtered and paged (a Link header names the next page); each "
            + "without its layers (GET /api/v1/builds/{id} has them)")
    public Response list(@QueryParam("component") String component, @QueryParam("state") String state,
            @QueryParam("requester") String requester, @QueryParam("since") String since,
            @QueryParam("limit") String limit, @QueryParam("page") String page, @Context UriInfo uri) {
        SubmissionService.Page p = service.list(query(component, "component"), query(state, "state"),
                query(requester, "requester"), query(since, "since"), number(query(limit, "limit"), "limit"),
                number(query(page, "page"), "page"));
        Response.ResponseBuilder r = Response.ok(p.builds().stream().map(BuildJson::listed).toList());
        if (p.hasNext()) {
            URI next = uri.getRequestUriBuilder().replaceQueryParam("page", p.page() + 1)
                    .replaceQueryParam("limit", p.limit()).build();
            r.header("Link", "<" + next + ">; rel=\"next\"");
        }
        return r.build();
    }

    @GET
    @Path("/{id}/sbom")
    @Produces({CycloneDx.MEDIA_TYPE, MediaType.APPLICATION_JSON})
    @Operation(summary = "The image's content manifest as a CycloneDX 1.5 SBOM (packages from dpkg or apk)")
    public byte[] sbom(@PathParam("id") String id) {
        return service.sbom(id(id));
    }

    @GET
    @Path("/{id}/logs")
    @Produces(MediaType.TEXT_PLAIN)
    @Operation(summary = "The build's log lines received so far, as plain text")
    public String logs(@PathParam("id") String id) {
        List<String> lines = service.logs(id(id));
        return lines.isEmpty() ? "" : String.join("\n", lines) + "\n";
    }

    @GET
    @Path("/{id}/logs")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @Operation(summary = "Follow the build's log: 'log' events {sequence, lines} (id = sequence), then one 'end' "
            + "event {state} after the build ended")
    public void followLogs(@PathParam("id") String id, @HeaderParam("Last-Event-ID") String lastEventId,
            @Context SseEventSink sink, @Context Sse sse) {
        id(id);
        if (service.pollLogs(id, Long.MAX_VALUE).isEmpty()) {
            throw notFound(id);
        }
        streams.logs(id, position(lastEventId), sink, sse);
    }

    @GET
    @Path("/{id}/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @Operation(summary = "Follow the build's state changes: 'state' events {state, at} (id = position, the whole "
            + "history first), then one 'end' event with the build record once it ended")
    public void events(@PathParam("id") String id, @HeaderParam("Last-Event-ID") String lastEventId,
            @Context SseEventSink sink, @Context Sse sse) {
        id(id);
        if (service.pollHistory(id, Long.MAX_VALUE).isEmpty()) {
            throw notFound(id);
        }
        streams.states(id, position(lastEventId), sink, sse);
    }

    @POST
    @Path("/{id}/cancel")
    @Operation(summary = "Ask for the build to be canceled (token needed: the requester, an owner, a release "
            + "engineer or an admin); sends kiln.build.cancel-requested")
    @Authenticated
    public Response cancel(@PathParam("id") String id) {
        Caller caller = requestCaller.get();
        return Response.accepted(BuildJson.of(service.cancel(id(id), caller))).build();
    }

    private static Integer number(String text, String name) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return Integer.valueOf(text.strip());
        } catch (NumberFormatException e) {
            throw SubmissionException.invalid("Invalid " + name, name + " must be a whole number, got "
                    + Excerpt.of(text));
        }
    }

    private static long position(String lastEventId) {
        if (lastEventId == null || lastEventId.isBlank()) {
            return -1;
        }
        try {
            return Long.parseLong(lastEventId.strip());
        } catch (NumberFormatException e) {
            throw SubmissionException.invalid("Invalid Last-Event-ID", "Last-Event-ID must be the id of an event of "
                    + "this stream (a number), got " + Excerpt.of(lastEventId));
        }
    }

    private static String nonNull(String value, String field) {
        if (value == null || value.isBlank()) {
            throw SubmissionException.invalid("Missing " + field, field + " must be given");
        }
        return value;
    }

    static SubmissionException notFound(String id) {
        return SubmissionException.notFound("Build not found", "there is no build " + Excerpt.of(id));
    }
}
