package dev.kiln.release.domain;

import java.util.List;

/**
 * A gating policy (Greenwave's shape, reduced): the QA test cases that must have passed for the subject digest, and
 * whether a cosign signature of the candidate name is required.
 */
public record Policy(String id, List<String> requiredTestCases, boolean signatureRequired) {
    public static final String DEFAULT_ID = "default";
    public static final String IMAGE_STARTS = "kiln.image.starts";

    /** The built-in default: {@code kiln.image.starts} passed and a candidate signature. */
    public static final Policy BUILT_IN = new Policy(DEFAULT_ID, List.of(IMAGE_STARTS), true);

    public Policy {
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException("a policy has an id");
        }
        requiredTestCases = List.copyOf(requiredTestCases);
    }
}
