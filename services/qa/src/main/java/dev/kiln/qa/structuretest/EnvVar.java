package dev.kiln.qa.structuretest;

/** A {@code key}/{@code value} pair of a test file ({@code envVars}, {@code labels}); {@code value} may be a regex. */
public record EnvVar(String key, String value, boolean isRegex) {
}
