package dev.kiln.buildsubmission.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.kiln.buildsubmission.auth.AuthService;
import dev.kiln.buildsubmission.auth.RequestCaller;
import dev.kiln.buildsubmission.config.KilnConfig;
import dev.kiln.buildsubmission.domain.Caller;
import dev.kiln.buildsubmission.domain.Component;
import dev.kiln.buildsubmission.service.SubmissionException;
import dev.kiln.buildsubmission.store.AuthStore;
import dev.kiln.support.text.Excerpt;
import io.quarkus.security.Authenticated;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Who may do what: the caller's identity, components and their owners, tokens. */
@Path("/api/v1")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "access")
public class AccessResource {

    public record WhoAmI(String user, String role) {
    }

    public record ComponentJson(String name, List<String> owners, Instant createdAt, String createdBy) {
        static ComponentJson of(Component c) {
            return new ComponentJson(c.name(), c.owners(), c.createdAt(), c.createdBy());
        }
    }

    public record NewComponentBody(String name, List<String> owners) {
    }

    public record OwnersBody(List<String> owners) {
    }

    public record NewTokenBody(String user, String role, String description) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    /** A token as {@code GET /api/v1/tokens} lists it: never the token itself. */
    public record TokenInfoJson(String id, String user, String role, String description, Instant createdAt,
            String createdBy, Instant revokedAt, String revokedBy) {
        static TokenInfoJson of(AuthStore.TokenRecord t) {
            return new TokenInfoJson(t.id(), t.user(), t.role().wireName(), t.description(), t.createdAt(),
                    t.createdBy(), t.revokedAt(), t.revokedBy());
        }
    }

    public record TokenJson(String id, String token, String user, String role, String description, Instant createdAt) {
    }

    private final AuthService auth;
    private final int fieldLength;
    private final RequestCaller caller;

    public AccessResource(AuthService auth, KilnConfig config, RequestCaller caller) {
        this.auth = auth;
        this.fieldLength = config.limits().fieldLength();
        this.caller = caller;
    }

    @GET
    @Path("/whoami")
    @Operation(summary = "The user and role of the token sent (401 without one)")
    @Authenticated
    public WhoAmI whoami() {
        Caller c = caller.get();
        return new WhoAmI(c.user(), c.role().wireName());
    }

    @GET
    @Path("/components")
    @Operation(summary = "Registered components and their owners")
    public List<ComponentJson> components() {
        return auth.components().stream().map(ComponentJson::of).toList();
    }

    @GET
    @Path("/components/{name}")
    @Operation(summary = "One component and its owners")
    public ComponentJson component(@PathParam("name") String name) {
        Params.text(name, "component", fieldLength, "kiln.limits.field-length");
        return auth.component(name).map(ComponentJson::of).orElseThrow(() -> SubmissionException.notFound(
                "Unknown component", "component " + Excerpt.of(name) + " is not registered"));
    }

    @POST
    @Path("/components")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed("admin")
    @Operation(summary = "Register a component with its owners (admin)")
    public Response addComponent(NewComponentBody body) {
        Caller admin = caller.get();
        if (body == null) {
            throw SubmissionException.invalid("Missing body", "send {\"name\": ..., \"owners\": [...]}");
        }
        Component c = auth.addComponent(admin, body.name(), body.owners());
        return Response.created(URI.create("/api/v1/components/" + c.name())).entity(ComponentJson.of(c)).build();
    }

    @PUT
    @Path("/components/{name}/owners")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed("admin")
    @Operation(summary = "Replace the owners of a component (admin)")
    public ComponentJson setOwners(@PathParam("name") String name, OwnersBody body) {
        Caller admin = caller.get();
        if (body == null) {
            throw SubmissionException.invalid("Missing body", "send {\"owners\": [...]}");
        }
        return ComponentJson.of(auth.setOwners(admin, name, body.owners()));
    }

    @POST
    @Path("/tokens")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed("admin")
    @Operation(summary = "Create a token for a user and role (admin); the token is in this answer only")
    public Response createToken(NewTokenBody body) {
        Caller admin = caller.get();
        if (body == null) {
            throw SubmissionException.invalid("Missing body", "send {\"user\": ..., \"role\": ...}");
        }
        AuthService.NewToken t = auth.createToken(admin, body.user(), body.role(), body.description());
        return Response.status(201).entity(new TokenJson(t.id(), t.token(), t.user(), t.role().wireName(),
                t.description(), t.createdAt())).build();
    }

    @GET
    @Path("/tokens")
    @RolesAllowed("admin")
    @Operation(summary = "The tokens, newest first, without the tokens themselves (admin); ?revoked=true adds revoked ones")
    public List<TokenInfoJson> tokens(@QueryParam("revoked") @DefaultValue("false") boolean revoked) {
        return auth.tokens(revoked).stream().map(TokenInfoJson::of).toList();
    }

    @DELETE
    @Path("/tokens/{id}")
    @RolesAllowed("admin")
    @Operation(summary = "Revoke a token (admin): it stands for nobody from now on; the record stays")
    public TokenInfoJson revokeToken(@PathParam("id") String id) {
        Params.text(id, "token id", fieldLength, "kiln.limits.field-length");
        return TokenInfoJson.of(auth.revokeToken(caller.get(), id));
    }
}
