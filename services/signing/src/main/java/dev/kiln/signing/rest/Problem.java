package dev.kiln.signing.rest;

import jakarta.ws.rs.core.Response;
import java.net.URI;

/** An RFC 9457 problem document ({@code application/problem+json}). */
public record Problem(URI type, String title, int status, String detail) {
    public static final String MEDIA_TYPE = "application/problem+json";

    public static Response response(int status, String title, String detail) {
        URI type = URI.create("https://kiln.dev/problems/" + title.toLowerCase(java.util.Locale.ROOT).replace(' ', '-'));
        return Response.status(status).type(MEDIA_TYPE).entity(new Problem(type, title, status, detail)).build();
    }
}
