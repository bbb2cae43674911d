package dev.kiln.signing.rest;

import dev.kiln.signing.domain.SigningKey;
import dev.kiln.signing.service.SigningKeys;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;

/** The public keys that verify Kiln's signatures (cosign {@code --key} material). */
@Path("/api/v1/keys")
public class KeysResource {
    public static final String PEM = "application/x-pem-file";

    public record KeyView(String keyId, String algorithm, String publicKeyPem) {
    }

    @Inject
    SigningKeys keys;

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public List<KeyView> list() {
        return keys.all().stream().map(k -> new KeyView(k.keyId(), SigningKey.ALGORITHM, k.publicKeyPem())).toList();
    }

    @GET
    @Path("/{keyId}.pem")
    @Produces({PEM, MediaType.TEXT_PLAIN, Problem.MEDIA_TYPE})
    public Response pem(@PathParam("keyId") String keyId) {
        return keys.all().stream().filter(k -> k.matches(keyId)).findFirst()
                .map(k -> Response.ok(k.publicKeyPem(), PEM).build())
                .orElseGet(() -> Problem.response(404, "Unknown key", "no signing key has the id " + keyId
                        + "; GET /api/v1/keys lists the keys"));
    }
}
