package dev.kiln.cli.client;

import dev.kiln.cli.domain.BuildRequest;
import io.quarkus.rest.client.reactive.ClientExceptionMapper;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.File;
import java.util.Map;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/**
 * build-submission's REST API as the CLI uses it. The base URL is only known at run time ({@code --server}), so
 * instances are made with {@code QuarkusRestClientBuilder} by {@link KilnServer}. Bodies are read as strings so
 * that {@code kiln show --output json} can print the server's JSON as it is.
 */
@RegisterRestClient(configKey = "kiln-server")
@Path("/api/v1")
@Produces(MediaType.APPLICATION_JSON)
public interface KilnApi {

    String TAR = "application/x-tar";

    /** The length is sent explicitly so that the archive goes with a Content-Length, not chunked. */
    @POST
    @Path("/contexts")
    @Consumes(TAR)
    String uploadContext(@HeaderParam("Content-Length") long length, File tar);

    @POST
    @Path("/builds")
    @Consumes(MediaType.APPLICATION_JSON)
    String submitBuild(BuildRequest request);

    @GET
    @Path("/builds/{id}")
    String getBuild(@PathParam("id") String id);

    @GET
    @Path("/builds")
    String listBuilds(@QueryParam("component") String component, @QueryParam("state") String state,
            @QueryParam("requester") String requester, @QueryParam("since") String since,
            @QueryParam("limit") Integer limit, @QueryParam("page") Integer page);

    @POST
    @Path("/builds/{id}/cancel")
    String cancelBuild(@PathParam("id") String id);

    @GET
    @Path("/builds/{id}/logs")
    @Produces(MediaType.TEXT_PLAIN)
    String logs(@PathParam("id") String id);

    @GET
    @Path("/whoami")
    String whoami();

    @GET
    @Path("/components")
    String components();

    @GET
    @Path("/components/{name}")
    String component(@PathParam("name") String name);

    @POST
    @Path("/components")
    @Consumes(MediaType.APPLICATION_JSON)
    String addComponent(Map<String, Object> body);

    @PUT
    @Path("/components/{name}/owners")
    @Consumes(MediaType.APPLICATION_JSON)
    String setOwners(@PathParam("name") String name, Map<String, Object> body);

    @POST
    @Path("/tokens")
    @Consumes(MediaType.APPLICATION_JSON)
    String createToken(Map<String, Object> body);

    @GET
    @Path("/tokens")
    String tokens(@QueryParam("revoked") boolean revoked);

    @DELETE
    @Path("/tokens/{id}")
    String revokeToken(@PathParam("id") String id);

    @GET
    @Path("/admin/dead-letters")
    String deadLetters(@QueryParam("topic") String topic, @QueryParam("limit") Integer limit);

    @GET
    @Path("/admin/dead-letters/{id}")
    String deadLetter(@PathParam("id") String id);

    @POST
    @Path("/admin/dead-letters/{id}/replay")
    String replayDeadLetter(@PathParam("id") String id, @QueryParam("force") Boolean force);

    @POST
    @Path("/admin/dead-letters/replay")
    String replayDeadLetters(@QueryParam("topic") String topic);

    /** Every answer with status 400 or more becomes a {@link ServerResponseException} carrying the problem. */
    @ClientExceptionMapper
    static RuntimeException toException(Response response) {
        String body = null;
        try {
            if (response.hasEntity()) {
                body = response.readEntity(String.class);
            }
        } catch (RuntimeException unreadable) {
            body = null;
        }
        String reason = response.getStatusInfo() == null ? null : response.getStatusInfo().getReasonPhrase();
        return ServerResponseException.of(response.getStatus(), reason, body);
    }
}
