package dev.kiln.cli.client;

import java.util.List;

/** The release service refused a promotion because the build's gate is closed (HTTP 409 with requirements). */
public class GateClosedException extends RuntimeException {

    private final String buildId;
    private final List<String> unsatisfied;

    public GateClosedException(String buildId, String detail, List<String> unsatisfied) {
        super(detail);
        this.buildId = buildId;
        this.unsatisfied = List.copyOf(unsatisfied);
    }

    public String buildId() {
        return buildId;
    }

    public List<String> unsatisfied() {
        return unsatisfied;
    }

    /** What the user reads: the unsatisfied requirements, one a line, and how to waive a failed test case. */
    public String explanation() {
        StringBuilder b = new StringBuilder("Gate closed: build " + buildId + " cannot be promoted");
        if (unsatisfied.isEmpty()) {
            b.append(getMessage() == null ? "" : ": " + getMessage());
        } else {
            b.append("; unsatisfied requirements:");
            unsatisfied.forEach(u -> b.append("\n  ").append(u));
        }
        b.append("\nA failed test case can be waived (release engineers): kiln waive ").append(buildId)
                .append(" TESTCASE --comment TEXT");
        return b.toString();
    }
}
