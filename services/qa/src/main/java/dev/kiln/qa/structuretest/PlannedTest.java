package dev.kiln.qa.structuretest;

import java.util.List;

/**
 * A test of a file, with its test case name {@code kiln.cst.<file-stem>.<test>}, the file's global env and its
 * {@code containerRunOptions}.
 */
public record PlannedTest(String testCase, String file, String label, StructureTest test, List<EnvVar> globalEnvVars,
        RunOptions runOptions) {
}
