package dev.kiln.cli.domain;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/** The answer to {@code POST /api/v1/contexts}. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ContextUpload(String digest) {
}
