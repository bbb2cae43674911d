package dev.kiln.support.rest;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import dev.kiln.support.messaging.FailureKind;
import dev.kiln.support.text.Excerpt;
import dev.kiln.support.text.Failures;
import jakarta.ws.rs.NotAcceptableException;
import jakarta.ws.rs.NotAllowedException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.NotSupportedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Request;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.Set;
import java.util.TreeSet;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * The answers of every Kiln HTTP service to what goes wrong in a request: each is an {@code application/problem+json}
 * {@link Problem} with a sentence a client can act on. Unreadable JSON is said in words ({@link JsonProblems}); unknown
 * routes, methods and media types name what exists; anything unexpected is 500, logged, and the answer says nothing
 * internal. Service-specific exceptions keep small mappers in their service that build a {@link Problem}.
 */
public class ProblemMappers {
    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);
    /** What Quarkus' routing says when a class path matched but none of its methods did. */
    private static final String ROUTING_NOT_FOUND = "Unable to find matching target resource method";

    @ServerExceptionMapper
    public Response problem(ProblemException e) {
        return e.problem().toResponse();
    }

    @ServerExceptionMapper
    public Response json(JsonProcessingException e) {
        return JsonProblems.problem(e).toResponse();
    }

    /** Each Jackson type Quarkus has a built-in mapper for (answering without a problem document) is named here. */
    @ServerExceptionMapper
    public Response jsonParse(JsonParseException e) {
        return json(e);
    }

    @ServerExceptionMapper
    public Response jsonMapping(JsonMappingException e) {
        return json(e);
    }

    @ServerExceptionMapper
    public Response mismatched(MismatchedInputException e) {
        return json(e);
    }

    @ServerExceptionMapper
    public Response invalidFormat(InvalidFormatException e) {
        return json(e);
    }

    @ServerExceptionMapper
    public Response unrecognized(UnrecognizedPropertyException e) {
        return json(e);
    }

    @ServerExceptionMapper
    public Response notFound(NotFoundException e, UriInfo uri, Request request) {
        if (e.getCause() != null || isDefault(e) || ROUTING_NOT_FOUND.equals(e.getMessage())) {
            return Problem.response(404, "Not Found", "nothing answers " + request.getMethod() + " "
                    + Excerpt.of(uri.getPath()) + " here; this service's README lists its endpoints");
        }
        return Problem.response(404, "Not Found", e.getMessage());
    }

    @ServerExceptionMapper
    public Response notAllowed(NotAllowedException e, UriInfo uri, Request request) {
        Set<String> allowed = new TreeSet<>(e.getResponse().getAllowedMethods());
        allowed.addAll(Routes.allowedHere());
        if (allowed.contains("GET")) {
            allowed.add("HEAD");
        }
        return Response.fromResponse(Problem.response(405, "Method Not Allowed", request.getMethod() + " is not allowed on "
                + Excerpt.of(uri.getPath()) + (allowed.isEmpty() ? "" : "; allowed: " + String.join(", ", allowed))))
                .allow(allowed).build();
    }

    @ServerExceptionMapper
    public Response notSupported(NotSupportedException e, HttpHeaders headers) {
        return unsupportedMediaType(headers.getHeaderString(HttpHeaders.CONTENT_TYPE), Routes.consumedHere());
    }

    @ServerExceptionMapper
    public Response notAcceptable(NotAcceptableException e, HttpHeaders headers) {
        return Problem.response(406, "Not Acceptable", "this resource cannot answer in a type the Accept header asks for ("
                + Excerpt.of(headers.getHeaderString(HttpHeaders.ACCEPT)) + "); ask for application/json, or send no Accept header");
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        int status = e.getResponse() == null ? 500 : e.getResponse().getStatus();
        if (status == 400 && e.getCause() instanceof JsonProcessingException j) {
            return json(j);
        }
        if (status >= 500) {
            LOG.errorf(e, "answering %d", status);
            return internal(status);
        }
        Response.Status known = Response.Status.fromStatusCode(status);
        String title = known == null ? "HTTP " + status : known.getReasonPhrase();
        String detail = isDefault(e) || e.getCause() != null ? "the request was refused (" + status + " " + title + ")" : e.getMessage();
        return Problem.response(status, title, detail);
    }

    /**
     * Anything else. A failure the shared classifier calls transient (the database restarting, a broker or registry
     * away) is a 503 with {@code Retry-After}: the request may succeed in a moment, and clients that ride out
     * restarts (the CLI's followers) keep trying. Everything else is a 500 that says nothing internal.
     */
    @ServerExceptionMapper
    public Response unexpected(Throwable e) {
        if (FailureKind.isTransient(e)) {
            LOG.warnf("answering 503, a dependency is away: %s", Failures.message(e));
            String name = ConfigProvider.getConfig().getOptionalValue("quarkus.application.name", String.class)
                    .orElse("the service");
            return Response.fromResponse(Problem.response(503, "Service unavailable", name
                    + " cannot reach its database or broker right now; try again in a few seconds"))
                    .header("Retry-After", "5").build();
        }
        LOG.error("unexpected error answering a request", e);
        return internal(500);
    }

    /** 415 naming the accepted types. */
    static Response unsupportedMediaType(String sent, Set<String> accepted) {
        String given = sent == null || sent.isBlank() ? "no Content-Type header was sent" : "Content-Type " + Excerpt.of(sent)
                + " is not accepted here";
        String accepts = accepted.isEmpty() ? "send the type this endpoint's documentation names"
                : "send Content-Type: " + String.join(" or ", accepted);
        return Problem.response(415, "Unsupported Media Type", given + "; " + accepts);
    }

    private static Response internal(int status) {
        String name = ConfigProvider.getConfig().getOptionalValue("quarkus.application.name", String.class).orElse("the service");
        return Problem.response(status, status == 500 ? "Internal error" : "Service unavailable", name
                + " could not answer this request; its log has the details");
    }

    /** The message JAX-RS gives when none was: "HTTP 404 Not Found". */
    private static boolean isDefault(WebApplicationException e) {
        return e.getMessage() == null || e.getMessage().startsWith("HTTP ");
    }
}
