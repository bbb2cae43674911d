package dev.kiln.release.client;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/** build-submission (the hub), the one source of identity: it says whose a bearer token is. */
@RegisterRestClient(configKey = "hub")
@Path("/api/v1")
public interface HubClient {

    /** As the hub answers {@code GET /api/v1/whoami}; fields the hub may add later are ignored. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record WhoAmI(String user, String role) {
    }

    /** The user and role of the token in {@code authorization} ({@code Bearer <token>}); 401 for an unknown one. */
    @GET
    @Path("/whoami")
    @Produces(MediaType.APPLICATION_JSON)
    WhoAmI whoami(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization);
}
