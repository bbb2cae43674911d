package dev.kiln.qa.rest;

import jakarta.ws.rs.core.Response;
import java.util.Locale;

/** An RFC 9457 problem document, the body of every error answer. */
public record Problem(String type, String title, int status, String detail) {
    public static final String MEDIA_TYPE = "application/problem+json";
    private static final String TYPE_BASE = "https://kiln.dev/problems/";

    public static Problem of(int status, String title, String detail) {
        String slug = title.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("(^-|-$)", "");
        return new Problem(TYPE_BASE + slug, title, status, detail);
    }

    public Response toResponse() {
        return Response.status(status).type(MEDIA_TYPE).entity(this).build();
    }
}
