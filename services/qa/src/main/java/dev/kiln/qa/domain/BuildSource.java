package dev.kiln.qa.domain;

import dev.kiln.events.Source;

/** The source a build was made from, recorded from {@code kiln.build.requested}. */
public record BuildSource(String buildId, String component, Source source) {
}
