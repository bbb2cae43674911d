package dev.kiln.release.rest;

import dev.kiln.release.domain.Principal;
import dev.kiln.release.domain.Promotion;
import dev.kiln.release.service.ReleaseService;
import dev.kiln.support.rest.Params;
import dev.kiln.support.rest.Problem;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Manual promotion by a release engineer ({@code kiln promote BUILD [--to REGISTRY]}). */
@Path("/api/v1/promotions")
public class PromotionsResource {
    @Inject
    ReleaseService release;

    @Inject
    Caller caller;

    /** {@code to}: a registry address (production when absent). */
    public record PromotionRequest(String buildId, String to) {
    }

    public record PromotionResponse(String buildId, String fromRegistry, String fromRepository, String toRegistry,
            String toRepository, String digest, List<String> tags, String reference, String promotedBy, Instant time,
            boolean created) {
        static PromotionResponse of(Promotion p, boolean created) {
            return new PromotionResponse(p.buildId(), p.fromRegistry(), p.fromRepository(), p.toRegistry(), p.toRepository(),
                    p.digest(), p.tags(), p.reference(), p.promotedBy(), p.time(), created);
        }
    }

    @POST
    @RolesAllowed({ Principal.RELEASE_ENGINEER, Principal.ADMIN })
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces({MediaType.APPLICATION_JSON, Problem.MEDIA_TYPE})
    public Response promote(PromotionRequest request) {
        if (request == null || request.buildId() == null || request.buildId().isBlank()) {
            return Problem.response(400, "Bad Request", "the body must be {\"buildId\": \"...\", \"to\": \"registry (optional)\"}");
        }
        Params.text("buildId", request.buildId(), 128);
        Params.text("to", request.to(), 256);
        ReleaseService.ManualPromotion result = release.promote(request.buildId().strip(), Optional.ofNullable(request.to()), caller.principal());
        return Response.status(result.created() ? 201 : 200).type(MediaType.APPLICATION_JSON)
                .entity(PromotionResponse.of(result.promotion(), result.created())).build();
    }
}
