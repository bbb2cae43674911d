package dev.kiln.support.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonProblemsTest {
    enum Colour { RED, GREEN }

    record Inner(String url, int depth) {
    }

    record Body(String name, int count, boolean scratch, List<String> owners, Inner git, Colour colour) {
    }

    private static final ObjectMapper MAPPER = StrictJson.apply(new ObjectMapper());

    static String detail(String json) {
        JsonProcessingException e = assertThrows(JsonProcessingException.class, () -> MAPPER.readValue(json, Body.class));
        String d = JsonProblems.detail(e);
        assertTrue(d.startsWith(JsonProblems.PREFIX), d);
        for (String internal : List.of("java.", "com.fasterxml", "Exception", "Body", "Inner", "JsonProblemsTest")) {
            assertFalse(d.contains(internal), "internal text in: " + d);
        }
        return d;
    }

    @Test
    void wrongTypesNameTheFieldAndTheTypeInWords() {
        assertTrue(detail("{\"name\": 5}").contains("\"/name\" must be a string"));
        assertTrue(detail("{\"count\": \"5\"}").contains("\"/count\" must be a whole number"));
        assertTrue(detail("{\"count\": 1.5}").contains("\"/count\" must be a whole number"));
        assertTrue(detail("{\"scratch\": \"maybe\"}").contains("\"/scratch\" must be true or false"));
        assertTrue(detail("{\"owners\": \"alice\"}").contains("\"/owners\" must be an array"));
        assertTrue(detail("{\"owners\": [{}]}").contains("\"/owners/0\" must be a string"));
        assertTrue(detail("{\"git\": {\"url\": []}}").contains("\"/git/url\" must be a string"));
        assertTrue(detail("{\"git\": \"x\"}").contains("\"/git\" must be a JSON object"));
        assertTrue(detail("{\"colour\": \"BLUE\"}").contains("\"/colour\" must be one of RED, GREEN"));
        assertTrue(detail("[1, 2]").contains("the body must be a JSON object"));
    }

    @Test
    void unknownFieldsAreNamedWithTheKnownOnes() {
        String d = detail("{\"nmae\": \"x\"}");
        assertTrue(d.contains("unknown field \"/nmae\""), d);
        assertTrue(d.contains("colour, count, git, name, owners, scratch"), d);
        assertTrue(detail("{\"git\": {\"uri\": \"x\"}}").contains("unknown field \"/git/uri\""));
    }

    @Test
    void syntaxErrorsSayWhere() {
        assertTrue(detail("{\"name\": ").contains("ends before the JSON value is complete"));
        assertTrue(detail("garbage").contains("is not JSON syntax (line 1, column"));
        assertTrue(detail("{\"name\": \"a\"} trailing").contains("not JSON syntax"));
        assertTrue(detail("{\"name\": \"a\"} {}").contains("more than one JSON value"));
    }

    @Test
    void longFieldNamesAreCut() {
        String d = detail("{\"" + "x".repeat(500) + "\": 1}");
        assertTrue(d.length() < 300, d);
    }

    @Test
    void paramsNameTheParameterAndTheRule() {
        assertEquals("sha256:" + "a".repeat(64), Params.digest("digest", "sha256:" + "a".repeat(64)));
        ProblemException e = assertThrows(ProblemException.class, () -> Params.digest("digest", "md5:1"));
        assertTrue(e.detail().contains("digest must be a digest sha256:<64 lower-case hex digits>, got \"md5:1\""), e.detail());
        e = assertThrows(ProblemException.class, () -> Params.integer("limit", "-5", 200, 1, 1000));
        assertEquals("limit must be from 1 to 1000, got -5", e.detail());
        e = assertThrows(ProblemException.class, () -> Params.integer("limit", "ten", 200, 1, 1000));
        assertTrue(e.detail().startsWith("limit must be a whole number from 1 to 1000"), e.detail());
        assertEquals(200, Params.integer("limit", null, 200, 1, 1000));
        e = assertThrows(ProblemException.class, () -> Params.text("testcase", "a\u0000b", 100));
        assertTrue(e.detail().contains("control characters") && e.detail().contains("\\u0000"), e.detail());
        e = assertThrows(ProblemException.class, () -> Params.oneOf("format", "x", List.of("cosign", "openpgp")));
        assertEquals("format must be one of cosign, openpgp, got \"x\"", e.detail());
        assertEquals(400, e.status());
    }
}
