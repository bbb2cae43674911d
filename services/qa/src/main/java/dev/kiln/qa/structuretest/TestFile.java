package dev.kiln.qa.structuretest;

import java.util.List;

/**
 * One {@code tests/*.yaml} file: either its tests, or (when it is not a valid schema 2.0.0 file) the one sentence that
 * says what is wrong, which becomes an ERROR of test case {@code kiln.cst.<file-stem>}.
 */
public record TestFile(String file, String testCase, List<PlannedTest> tests, String error) {
    public static TestFile valid(String file, String testCase, List<PlannedTest> tests) {
        return new TestFile(file, testCase, List.copyOf(tests), null);
    }

    public static TestFile invalid(String file, String testCase, String error) {
        return new TestFile(file, testCase, List.of(), error);
    }

    public boolean isValid() {
        return error == null;
    }
}
