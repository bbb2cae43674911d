package dev.kiln.qa.domain;

import dev.kiln.events.QaOutcome;

/** The verdict of one test case: outcome and a one-line summary (the ResultsDB note). */
public record CaseResult(QaOutcome outcome, String summary) {
    public static CaseResult passed(String summary) {
        return new CaseResult(QaOutcome.PASSED, summary);
    }

    public static CaseResult failed(String summary) {
        return new CaseResult(QaOutcome.FAILED, summary);
    }

    public static CaseResult error(String summary) {
        return new CaseResult(QaOutcome.ERROR, summary);
    }
}
