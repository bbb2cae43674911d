package dev.kiln.buildsubmission.registry;

import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * {@code GET /api/v1/registry/token}: the realm the candidate and production registries send clients to
 * (distribution's token authentication: {@code service}, {@code scope}, {@code account} and HTTP Basic
 * credentials in, {@code token}/{@code access_token}, {@code expires_in} and {@code issued_at} out).
 */
@Path("/api/v1/registry/token")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "registry")
public class RegistryTokenResource {

    /** The realm's answer, in the field names registry clients read. */
    public record TokenJson(String token, @JsonProperty("access_token") String accessToken,
            @JsonProperty("expires_in") long expiresIn, @JsonProperty("issued_at") String issuedAt) {
    }

    private final RegistryTokenService tokens;

    public RegistryTokenResource(RegistryTokenService tokens) {
        this.tokens = tokens;
    }

    @GET
    public TokenJson token(@QueryParam("service") String service, @QueryParam("scope") List<String> scopes,
            @QueryParam("account") String account, @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
        RegistryTokenService.Issued issued = tokens.issue(service, scopes, account, authorization);
        return new TokenJson(issued.token(), issued.token(), issued.expiresIn().toSeconds(),
                issued.issuedAt().toString());
    }
}
