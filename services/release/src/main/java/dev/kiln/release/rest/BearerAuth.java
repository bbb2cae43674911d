package dev.kiln.release.rest;

import dev.kiln.release.domain.Principal;
import dev.kiln.release.service.TokenAuthority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.util.Optional;

/** Bearer tokens on the REST API: 401 without a known token, 403 when the token's role is not the one required. */
@ApplicationScoped
public class BearerAuth {
    @Inject
    TokenAuthority tokens;

    /** Thrown with the problem response to send. */
    public static final class Refused extends RuntimeException {
        private final transient Response response;

        Refused(Response response) {
            super(null, null, false, false);
            this.response = response;
        }

        public Response response() {
            return response;
        }
    }

    /** The caller, who must hold {@code role}. */
    public Principal require(HttpHeaders headers, String role) {
        String header = Optional.ofNullable(headers.getHeaderString(HttpHeaders.AUTHORIZATION)).orElse("").strip();
        if (!header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw new Refused(unauthorized("this request needs a bearer token (Authorization: Bearer <token>)"));
        }
        Principal principal = tokens.authenticate(header.substring(7).strip())
                .orElseThrow(() -> new Refused(unauthorized("the bearer token is not known")));
        if (!role.equals(principal.role())) {
            throw new Refused(Problem.response(403, "Forbidden", "only role " + role + " may do this; " + principal.user()
                    + " has role " + principal.role()));
        }
        return principal;
    }

    private static Response unauthorized(String detail) {
        Response problem = Problem.response(401, "Unauthorized", detail);
        return Response.fromResponse(problem).header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"kiln\"").build();
    }
}
