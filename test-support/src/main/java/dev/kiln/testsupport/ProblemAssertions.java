package dev.kiln.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.function.Supplier;
import javax.sql.DataSource;

/**
 * What every error answer of a Kiln service must be: the expected status, {@code application/problem+json}, a
 * problem document whose detail is a sentence with no Java or Jackson text in it, and nothing stored.
 */
public final class ProblemAssertions {
    public static final String PROBLEM = "application/problem+json";
    /** Text that must never reach a client. */
    public static final List<String> INTERNAL = List.of("java.", "jakarta.", "com.fasterxml", "dev.kiln.", "Exception",
            "@Consumes", "\tat ", "HTTP 4", "HTTP 5");

    private ProblemAssertions() {
    }

    /** Checks the answer; returns its detail. */
    public static String assertProblem(Response r, int status, String detailPart) {
        return assertProblem(r.statusCode(), r.contentType(), r.asString(), status, detailPart);
    }

    /** Checks an answer from {@link #send}; returns its detail. */
    public static String assertProblem(HttpResponse<String> r, int status, String detailPart) {
        return assertProblem(r.statusCode(), r.headers().firstValue("Content-Type").orElse(null), r.body(), status,
                detailPart);
    }

    /**
     * Sends {@code method path} to {@code baseUrl} with exactly these headers (name, value pairs) and body: unlike
     * rest-assured, adds no Content-Type of its own.
     */
    public static HttpResponse<String> send(String baseUrl, String method, String path, String body, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i + 1 < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        try {
            return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String assertProblem(int statusCode, String contentType, String body, int status, String detailPart) {
        assertEquals(status, statusCode, body);
        assertTrue(contentType != null && contentType.startsWith(PROBLEM), contentType + ": " + body);
        JsonPath json = JsonPath.from(body);
        assertEquals(status, json.getInt("status"), body);
        assertNotNull(json.getString("title"), body);
        assertTrue(json.getString("type").startsWith("https://kiln.dev/problems/"), body);
        String detail = json.getString("detail");
        assertNotNull(detail, body);
        assertTrue(detail.contains(detailPart), "expected \"" + detailPart + "\" in: " + detail);
        for (String internal : INTERNAL) {
            assertFalse(body.contains(internal), "internal text " + internal + " in: " + body);
        }
        assertTrue(detail.length() < 600, "an answer quotes at most a short excerpt of the input: " + detail);
        return detail;
    }

    /** Sends the request, checks the answer and that no row of {@code tables} was added or removed. */
    public static String refused(DataSource db, List<String> tables, int status, String detailPart, Supplier<Response> request) {
        String before = rowCounts(db, tables);
        Response r = request.get();
        String detail = assertProblem(r, status, detailPart);
        assertEquals(before, rowCounts(db, tables), "a refused request changed stored rows: " + r.asString());
        return detail;
    }

    /** As {@link #refused(DataSource, List, int, String, Supplier)} for a request made with {@link #send}. */
    public static String refusedRaw(DataSource db, List<String> tables, int status, String detailPart,
            Supplier<HttpResponse<String>> request) {
        String before = rowCounts(db, tables);
        HttpResponse<String> r = request.get();
        String detail = assertProblem(r, status, detailPart);
        assertEquals(before, rowCounts(db, tables), "a refused request changed stored rows: " + r.body());
        return detail;
    }

    /** {@code table=count} for each table (schema-qualified names). */
    public static String rowCounts(DataSource db, List<String> tables) {
        StringBuilder sb = new StringBuilder();
        try (Connection c = db.getConnection(); Statement st = c.createStatement()) {
            for (String t : tables) {
                try (ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM " + t)) {
                    rs.next();
                    sb.append(t).append('=').append(rs.getLong(1)).append(' ');
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot count rows", e);
        }
        return sb.toString();
    }
}
