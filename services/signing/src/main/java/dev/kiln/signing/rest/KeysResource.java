package dev.kiln.signing.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.kiln.signing.domain.OpenPgpKey;
import dev.kiln.support.keys.SigningKey;
import dev.kiln.signing.service.SigningKeys;
import dev.kiln.support.rest.Params;
import dev.kiln.support.rest.Problem;
import dev.kiln.support.text.Excerpt;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The public keys that verify Kiln's signatures: cosign {@code --key} material (PEM) and OpenPGP public keys (armored,
 * for a {@code signedBy} policy's {@code keyPath}). Keys that no longer sign stay listed with {@code active=false}.
 */
@Path("/api/v1/keys")
public class KeysResource {
    public static final String PEM = "application/x-pem-file";
    public static final String PGP_KEYS = "application/pgp-keys";

    /** One key; {@code publicKeyPem} is set for cosign keys, {@code armoredPublicKey} for OpenPGP keys. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record KeyView(String keyId, String format, String algorithm, boolean active, String publicKeyPem,
            String armoredPublicKey) {
    }

    private static final Pattern KEY_ID = Pattern.compile("[A-Za-z0-9:+=_ -]{1,128}");

    @Inject
    SigningKeys keys;

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Response list(@QueryParam("format") String format) {
        format = Params.oneOf("format", format, List.of("cosign", "openpgp"));
        List<KeyView> views = new ArrayList<>();
        if (format == null || format.equals("cosign")) {
            for (SigningKey k : keys.all()) {
                views.add(new KeyView(k.keyId(), "cosign", SigningKey.ALGORITHM, k.equals(keys.current()), k.publicKeyPem(), null));
            }
        }
        if (format == null || format.equals("openpgp")) {
            OpenPgpKey active = keys.currentOpenPgp().orElse(null);
            for (OpenPgpKey k : keys.openPgpKeys()) {
                views.add(new KeyView(k.keyId(), "openpgp", OpenPgpKey.ALGORITHM, active != null && active.keyId().equals(k.keyId()),
                        null, k.armoredPublicKey()));
            }
        }
        return Response.ok(views, MediaType.APPLICATION_JSON).build();
    }

    @GET
    @Path("/{keyId}.pem")
    @Produces({PEM, MediaType.TEXT_PLAIN, Problem.MEDIA_TYPE})
    public Response pem(@PathParam("keyId") String keyId) {
        keyId(keyId);
        return keys.all().stream().filter(k -> k.matches(keyId)).findFirst()
                .map(k -> Response.ok(k.publicKeyPem(), PEM).build())
                .orElseGet(() -> Problem.response(404, "Unknown key", "no cosign key has the id " + Excerpt.of(keyId)
                        + "; GET /api/v1/keys?format=cosign lists the keys"));
    }

    @GET
    @Path("/{keyId}.asc")
    @Produces({PGP_KEYS, MediaType.TEXT_PLAIN, Problem.MEDIA_TYPE})
    public Response armored(@PathParam("keyId") String keyId) {
        keyId(keyId);
        return keys.openPgpKeys().stream().filter(k -> k.matches(keyId)).findFirst()
                .map(k -> Response.ok(k.armoredPublicKey(), PGP_KEYS).build())
                .orElseGet(() -> Problem.response(404, "Unknown key", "no OpenPGP key has the fingerprint " + Excerpt.of(keyId)
                        + "; GET /api/v1/keys?format=openpgp lists the keys"));
    }

    private static void keyId(String keyId) {
        Params.text("keyId", keyId, 128);
        Params.matching("keyId", keyId, KEY_ID, "a key id or fingerprint as GET /api/v1/keys lists it (letters, digits, "
                + ": + = _ - and spaces, at most 128)");
    }
}
