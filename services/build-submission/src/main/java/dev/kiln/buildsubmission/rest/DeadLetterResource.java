package dev.kiln.buildsubmission.rest;

import dev.kiln.buildsubmission.auth.RequestCaller;
import dev.kiln.buildsubmission.service.DeadLetterService;
import dev.kiln.buildsubmission.service.DeadLetterService.DeadLetter;
import dev.kiln.buildsubmission.service.DeadLetterService.Replay;
import dev.kiln.buildsubmission.service.SubmissionException;
import dev.kiln.support.rest.Params;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Dead letters for admins ({@code kiln admin dlq}): every Kiln topic's {@code <topic>.dlq}, each record with its
 * original headers, the consumer that refused it and why, and replays onto the original topic.
 */
@Path("/api/v1/admin/dead-letters")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "admin")
public class DeadLetterResource {
    private final DeadLetterService deadLetters;
    private final RequestCaller caller;

    public DeadLetterResource(DeadLetterService deadLetters, RequestCaller caller) {
        this.deadLetters = deadLetters;
        this.caller = caller;
    }

    /** A dead letter in a listing: without its headers and value. */
    public record Summary(String id, String topic, String ceType, String ceId, String buildId, String consumer,
            String reason, java.time.Instant time, Replay replay) {
        static Summary of(DeadLetter d) {
            return new Summary(d.id(), d.topic(), d.ceType(), d.ceId(), d.buildId(), d.consumer(), d.reason(), d.time(),
                    d.replay());
        }
    }

    @GET
    @RolesAllowed("admin")
    @Operation(summary = "Dead letters, newest first (admin); topic: a Kiln topic or its .dlq")
    public List<Summary> list(@QueryParam("topic") String topic, @QueryParam("limit") String limit) {
        Optional<String> t = Optional.ofNullable(topic).filter(x -> !x.isBlank());
        t.ifPresent(x -> Params.text("topic", x, 256));
        int n = Params.integer("limit", limit, 100, 1, 1000);
        return deadLetters.list(t, n).stream().map(Summary::of).toList();
    }

    @GET
    @Path("/{id}")
    @RolesAllowed("admin")
    @Operation(summary = "One dead letter with its headers and value (admin)")
    public DeadLetter show(@PathParam("id") String id) {
        Params.text("id", id, 256);
        return deadLetters.find(id);
    }

    @POST
    @Path("/{id}/replay")
    @RolesAllowed("admin")
    @Operation(summary = "Send a dead letter again to its original topic (admin); force: even if replayed before")
    public Replay replay(@PathParam("id") String id, @QueryParam("force") String force) {
        Params.text("id", id, 256);
        boolean again = "true".equals(Params.oneOf("force", force == null ? "false" : force, List.of("true", "false")));
        return deadLetters.replay(id, again, caller.get());
    }

    @POST
    @Path("/replay")
    @RolesAllowed("admin")
    @Operation(summary = "Replay every dead letter of a topic not replayed yet, oldest first (admin)")
    public List<Replay> replayAll(@QueryParam("topic") String topic) {
        if (topic == null || topic.isBlank()) {
            throw SubmissionException.invalid("Missing topic",
                    "name the topic whose dead letters to replay: ?topic=kiln.image.pushed");
        }
        Params.text("topic", topic, 256);
        return deadLetters.replayAll(topic, caller.get());
    }
}
