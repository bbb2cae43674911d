package dev.kiln.cli.domain;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The body of {@code POST /api/v1/builds}: exactly one of {@code context} and {@code git} is set; absent fields
 * are left out so that the server applies its own defaults.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BuildRequest(String component, ContextSource context, GitSource git, String dockerfile,
        boolean scratch, String requester) {

    public BuildRequest {
        if ((context == null) == (git == null)) {
            throw new IllegalArgumentException("a build request has exactly one of context and git");
        }
    }

    /** An uploaded build context, by the digest the server returned. */
    public record ContextSource(String digest) {
    }

    /** A git repository and the ref to build. */
    public record GitSource(String url, String ref) {
    }
}
