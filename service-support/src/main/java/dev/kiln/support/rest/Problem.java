package dev.kiln.support.rest;

import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.util.Locale;

/**
 * An RFC 9457 problem document, the body of every error answer of every Kiln HTTP service
 * ({@code application/problem+json}). The type is {@code https://kiln.dev/problems/<title as a slug>}.
 */
public record Problem(String type, String title, int status, String detail) {
    public static final String MEDIA_TYPE = "application/problem+json";
    public static final String TYPE_BASE = "https://kiln.dev/problems/";

    public static Problem of(int status, String title, String detail) {
        return new Problem(TYPE_BASE + slug(title), title, status, detail);
    }

    /** The answer for a problem: its status, {@link #MEDIA_TYPE}, the document. */
    public static Response response(int status, String title, String detail) {
        return of(status, title, detail).toResponse();
    }

    /** 401 with {@code WWW-Authenticate: Bearer realm="<realm>"}. */
    public static Response unauthorized(String realm, String detail) {
        return Response.fromResponse(response(401, "Unauthorized", detail))
                .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"" + realm + "\"").build();
    }

    /** The type's last segment for a title: lower case, runs of other characters as one dash. */
    public static String slug(String title) {
        return title.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("(^-|-$)", "");
    }

    public Response toResponse() {
        return Response.status(status).type(MEDIA_TYPE).entity(this).build();
    }
}
