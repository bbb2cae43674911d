package dev.kiln.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The server answered with an error status. 4xx means it refused the request ({@link #isRefusal()}), 5xx that it
 * failed. {@code title} and {@code detail} come from the {@code application/problem+json} body when there is one.
 */
public class ServerResponseException extends RuntimeException {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final int status;
    private final String title;
    private final String detail;

    public ServerResponseException(int status, String title, String detail) {
        super(describe(status, title, detail));
        this.status = status;
        this.title = title;
        this.detail = detail;
    }

    /** Reads a problem+json body when it is one; otherwise uses the reason phrase and the body's first line. */
    public static ServerResponseException of(int status, String reasonPhrase, String body) {
        String title = null;
        String detail = null;
        if (body != null && !body.isBlank()) {
            try {
                JsonNode node = JSON.readTree(body);
                if (node != null && node.isObject()) {
                    title = textOrNull(node.get("title"));
                    detail = textOrNull(node.get("detail"));
                }
            } catch (Exception notJson) {
                detail = firstLine(body);
            }
        }
        if (title == null) {
            title = reasonPhrase == null || reasonPhrase.isBlank() ? "HTTP " + status : reasonPhrase;
        }
        return new ServerResponseException(status, title, detail);
    }

    public int status() {
        return status;
    }

    public String title() {
        return title;
    }

    public String detail() {
        return detail;
    }

    public boolean isRefusal() {
        return status >= 400 && status < 500;
    }

    /** {@code title: detail}, or just the title. */
    public String problemLine() {
        return detail == null || detail.isBlank() ? title : title + ": " + detail;
    }

    private static String describe(int status, String title, String detail) {
        String line = detail == null || detail.isBlank() ? title : title + ": " + detail;
        return "HTTP " + status + ": " + line;
    }

    private static String textOrNull(JsonNode node) {
        return node == null || node.isNull() ? null : node.asText();
    }

    private static String firstLine(String body) {
        String trimmed = body.strip();
        int nl = trimmed.indexOf('\n');
        String line = nl < 0 ? trimmed : trimmed.substring(0, nl).strip();
        return line.length() > 200 ? line.substring(0, 200) + "…" : line;
    }
}
