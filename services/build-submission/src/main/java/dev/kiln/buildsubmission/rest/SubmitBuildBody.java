package dev.kiln.buildsubmission.rest;

/** The body of {@code POST /api/v1/builds}: one of {@code context} or {@code git}. */
public record SubmitBuildBody(String component, ContextRef context, GitRef git, String dockerfile, Boolean scratch,
        String requester) {

    public record ContextRef(String digest) {
    }

    public record GitRef(String url, String ref) {
    }
}
