package dev.kiln.qa.domain;

import java.util.List;

/** How a test container ended: its exit code, or that it was killed at the time limit; and its last log lines. */
public record ContainerRun(Integer exitCode, boolean timedOut, List<String> lastLogLines) {
    public ContainerRun {
        lastLogLines = List.copyOf(lastLogLines);
    }
}
