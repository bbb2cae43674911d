package dev.kiln.buildsubmission.service;

/** A request the hub refuses, with a short title and a detail sentence that says what to change. */
public class SubmissionException extends RuntimeException {
    public enum Kind { INVALID, UNAUTHORIZED, FORBIDDEN, NOT_FOUND, CONFLICT, TOO_LARGE, UNAVAILABLE }

    private final Kind kind;
    private final String title;

    public SubmissionException(Kind kind, String title, String detail) {
        super(detail);
        this.kind = kind;
        this.title = title;
    }

    public SubmissionException(Kind kind, String title, String detail, Throwable cause) {
        super(detail, cause);
        this.kind = kind;
        this.title = title;
    }

    public Kind kind() {
        return kind;
    }

    public String title() {
        return title;
    }

    public String detail() {
        return getMessage();
    }

    public static SubmissionException invalid(String title, String detail) {
        return new SubmissionException(Kind.INVALID, title, detail);
    }

    public static SubmissionException notFound(String title, String detail) {
        return new SubmissionException(Kind.NOT_FOUND, title, detail);
    }

    public static SubmissionException unauthorized(String detail) {
        return new SubmissionException(Kind.UNAUTHORIZED, "Not authenticated", detail);
    }

    public static SubmissionException forbidden(String title, String detail) {
        return new SubmissionException(Kind.FORBIDDEN, title, detail);
    }

    public static SubmissionException conflict(String title, String detail) {
        return new SubmissionException(Kind.CONFLICT, title, detail);
    }

    public static SubmissionException unavailable(String title, String detail) {
        return new SubmissionException(Kind.UNAVAILABLE, title, detail);
    }
}
