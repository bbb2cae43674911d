package dev.kiln.qa.domain;

import java.time.Duration;

/** What a test container may use: run time, memory (bytes, swap included), processes, log lines kept. */
public record RunLimits(Duration timeout, long memoryBytes, long pidsLimit, int logLines) {
}
