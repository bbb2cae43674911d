package dev.kiln.qa.domain;

/** How a test command ended: exit code (null when killed at the time limit), stdout, stderr, committed image. */
public record CommandRun(Integer exitCode, boolean timedOut, String stdout, String stderr, String committedImage) {
}
