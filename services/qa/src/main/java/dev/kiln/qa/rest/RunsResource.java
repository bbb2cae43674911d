package dev.kiln.qa.rest;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.kiln.qa.domain.Run;
import dev.kiln.qa.service.JUnitReport;
import dev.kiln.qa.store.QaDatabase;
import dev.kiln.support.rest.Params;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

/** qa's runs over pushed images, with the latest result of each test case and a JUnit XML report. */
@Path("/api/v1/runs")
@Produces(MediaType.APPLICATION_JSON)
@Blocking
public class RunsResource {

    public record RunJson(String id, @JsonProperty("build_id") String buildId,
            @JsonProperty("subject_repository") String subjectRepository,
            @JsonProperty("subject_digest") String subjectDigest, @JsonProperty("started_at") Instant startedAt,
            @JsonProperty("finished_at") Instant finishedAt, String note, List<ResultJson> results) {
    }

    private static final Pattern RUN_ID = Pattern.compile(
            "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    @Inject
    QaDatabase db;

    @GET
    public Map<String, List<RunJson>> runs(@QueryParam("digest") String digest) {
        return Map.of("data", db.runsOf(Params.digest("digest", digest)).stream().map(r -> json(r, false)).toList());
    }

    @GET
    @Path("/{id}")
    public RunJson run(@PathParam("id") String id) {
        return json(find(id), true);
    }

    @GET
    @Path("/{id}/junit.xml")
    @Produces(MediaType.APPLICATION_XML)
    public String junit(@PathParam("id") String id) {
        Run run = find(id);
        return JUnitReport.render(run, db.resultsOfRun(run.id()));
    }

    private Run find(String id) {
        UUID uuid = UUID.fromString(Params.matching("id", id, RUN_ID, "a run id (a UUID such as "
                + "0b7e1d2c-4f3a-4c3e-9a57-1f2e3d4c5b6a)"));
        return db.run(uuid).orElseThrow(() -> new NotFoundException("no run " + uuid));
    }

    private RunJson json(Run r, boolean withResults) {
        return new RunJson(r.id().toString(), r.buildId(), r.subjectRepository(), r.subjectDigest(), r.startedAt(),
                r.finishedAt(), r.note(), withResults ? db.latestOfRun(r.id()).stream().map(ResultJson::of).toList() : null);
    }
}
