package dev.kiln.support.rest;

import dev.kiln.support.text.Excerpt;

/**
 * A refusal a resource or filter throws: answered by {@link ProblemMappers} as a {@link Problem} with this status,
 * title and detail. The detail is a sentence for the client; it quotes client input only through
 * {@link Excerpt}.
 */
public class ProblemException extends RuntimeException {
    private final int status;
    private final String title;

    public ProblemException(int status, String title, String detail) {
        super(detail, null, false, false);
        this.status = status;
        this.title = title;
    }

    /** 400 Bad Request. */
    public static ProblemException badRequest(String detail) {
        return new ProblemException(400, "Bad Request", detail);
    }

    public int status() {
        return status;
    }

    public String title() {
        return title;
    }

    public String detail() {
        return getMessage();
    }

    public Problem problem() {
        return Problem.of(status, title, getMessage());
    }
}
