package dev.kiln.buildsubmission.rest;

import dev.kiln.buildsubmission.config.KilnConfig;
import dev.kiln.buildsubmission.service.SubmissionException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.Optional;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Checks every request to a JSON endpoint before its body is read (after the token and Content-Type checks): the body
 * may have at most {@code kiln.limits.json-body-bytes} bytes (413, also when it arrives chunked, without a
 * Content-Length).
 */
public class RequestChecks {
    private final long jsonBodyBytes;

    public RequestChecks(KilnConfig config) {
        this.jsonBodyBytes = config.limits().jsonBodyBytes();
    }

    @ServerRequestFilter
    public Optional<Response> check(ContainerRequestContext request, ResourceInfo resource) {
        Consumes consumes = resource.getResourceMethod() == null ? null
                : resource.getResourceMethod().getAnnotation(Consumes.class);
        if (consumes == null) {
            return Optional.empty();
        }
        if (Arrays.asList(consumes.value()).contains(MediaType.APPLICATION_JSON)) {
            if (request.getLength() > jsonBodyBytes) {
                throw tooLarge();
            }
            if (request.getLength() < 0) {
                // chunked: read it here, at most the limit (Jackson would wrap a failing read as malformed JSON)
                try {
                    byte[] body = request.getEntityStream().readNBytes((int) Math.min(Integer.MAX_VALUE - 8,
                            jsonBodyBytes + 1));
                    if (body.length > jsonBodyBytes) {
                        throw tooLarge();
                    }
                    request.setEntityStream(new ByteArrayInputStream(body));
                } catch (IOException e) {
                    throw SubmissionException.invalid("Unreadable request body", "the request body ended before it "
                            + "was complete: send the request again");
                }
            }
        }
        return Optional.empty();
    }

    private SubmissionException tooLarge() {
        return new SubmissionException(SubmissionException.Kind.TOO_LARGE, "Request body too large", "a JSON request "
                + "body may have at most " + jsonBodyBytes + " bytes (kiln.limits.json-body-bytes)");
    }
}
