package dev.kiln.release.rest;

import dev.kiln.release.domain.Principal;
import dev.kiln.release.domain.Waiver;
import dev.kiln.release.service.ReleaseService;
import dev.kiln.support.rest.Params;
import dev.kiln.support.rest.Problem;
import dev.kiln.support.rest.ProblemException;
import dev.kiln.support.text.Excerpt;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * Waivers of failed or missing test cases by a release engineer. Stored by release until the qa service owns them;
 * the gate counts a waived test case as satisfied ({@code test-case:<name> waived}).
 */
@Path("/api/v1/waivers")
public class WaiversResource {
    @Inject
    ReleaseService release;

    @Inject
    Caller caller;

    public record WaiverRequest(String buildId, String testCase, String comment) {
    }

    @POST
    @RolesAllowed({ Principal.RELEASE_ENGINEER, Principal.ADMIN })
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces({MediaType.APPLICATION_JSON, Problem.MEDIA_TYPE})
    public Response waive(WaiverRequest request) {
        if (request == null || request.buildId() == null || request.buildId().isBlank()) {
            return Problem.response(400, "Bad Request",
                    "the body must be {\"buildId\": \"...\", \"testCase\": \"...\", \"comment\": \"...\"}");
        }
        Params.text("buildId", request.buildId(), 128);
        Params.text("testCase", request.testCase(), 128);
        checkComment(request.comment());
        Waiver waiver = release.waive(request.buildId().strip(), request.testCase(), request.comment(), caller.principal());
        return Response.status(201).type(MediaType.APPLICATION_JSON).entity(waiver).build();
    }

    /** Free text up to 4096 characters; newlines and tabs are fine, NUL and other control characters are not. */
    private static void checkComment(String comment) {
        if (comment == null) {
            return;
        }
        if (comment.length() > 4096) {
            throw ProblemException.badRequest("comment must be at most 4096 characters, got "
                    + comment.length());
        }
        if (comment.chars().anyMatch(c -> Character.isISOControl(c) && c != '\n' && c != '\t' && c != '\r')) {
            throw ProblemException.badRequest("comment must not contain control characters other "
                    + "than newlines and tabs, got " + Excerpt.of(comment));
        }
    }
}
