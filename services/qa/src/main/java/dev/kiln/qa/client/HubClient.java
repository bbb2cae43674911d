package dev.kiln.qa.client;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.io.InputStream;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/** build-submission (the hub), which serves uploaded build contexts by digest. */
@RegisterRestClient(configKey = "hub")
@Path("/api/v1/contexts")
public interface HubClient {

    /** The context archive (tar or gzip tar) whose sha256 is {@code digest} ({@code sha256:<hex>}). */
    @GET
    @Path("/{digest}")
    @Produces(MediaType.WILDCARD)
    InputStream context(@PathParam("digest") String digest);
}
