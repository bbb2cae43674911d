package dev.kiln.qa.rest;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.kiln.qa.domain.StoredResult;
import java.time.Instant;
import java.util.Map;

/** A result as ResultsDB shows one: test case, outcome, note, ref_url, submit_time and the subject in {@code data}. */
public record ResultJson(long id, Map<String, String> testcase, String outcome, String note,
        @JsonProperty("ref_url") String refUrl, @JsonProperty("submit_time") Instant submitTime, Instant time,
        String reporter, @JsonProperty("run_id") String runId, Map<String, String> data) {

    public static ResultJson of(StoredResult r) {
        return new ResultJson(r.id(), Map.of("name", r.testCase()), r.outcome().name(), r.note(), r.refUrl(),
                r.submitTime(), r.time(), r.reporter(), r.runId() == null ? null : r.runId().toString(),
                Map.of("item", r.subjectRepository() + "@" + r.subjectDigest(), "type", "container-image",
                        "subject_repository", r.subjectRepository(), "subject_digest", r.subjectDigest(),
                        "build_id", r.buildId()));
    }
}
