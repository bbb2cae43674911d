package dev.kiln.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A small Server-Sent Events reader (java.net.http) for build-submission's follow streams. A dropped connection is
 * resumed with {@code Last-Event-ID} while the server is away for less than the {@link ServerOutage}'s limit.
 */
final class SseFollower {

    private final String baseUrl;
    private final String token;
    private final ObjectMapper json;
    private final HttpClient http;

    SseFollower(String baseUrl, String token, ObjectMapper json) {
        this.baseUrl = baseUrl;
        this.token = token;
        this.json = json;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    }

    /** One event: its name, id and data (lines joined by newlines). */
    record Event(String name, String id, String data) {
    }

    /**
     * Follows the log of build {@code id} to its end and returns the build's final state. A stream that breaks (the
     * hub restarting) is resumed from the last event id while {@code outage} allows; a hub that cannot be reached at
     * the first try is an error at once.
     */
    String followLogs(String id, Consumer<KilnServer.LogBatch> sink, ServerOutage outage) throws InterruptedException {
        String path = "/api/v1/builds/" + URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20") + "/logs";
        String following = "the log of build " + id;
        String lastId = null;
        boolean answered = false;
        while (true) {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path))
                    .header("Accept", "text/event-stream").GET();
            if (token != null && !token.isBlank()) {
                request.header("Authorization", "Bearer " + token.strip());
            }
            if (lastId != null) {
                request.header("Last-Event-ID", lastId);
            }
            HttpResponse<InputStream> response;
            try {
                response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            } catch (IOException e) {
                ServerUnreachableException away = new ServerUnreachableException(baseUrl, e);
                if (!answered) {
                    throw away;
                }
                outage.away(away, following);
                continue;
            }
            if (response.statusCode() >= 400) {
                String body;
                try (InputStream in = response.body()) {
                    body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    body = null;
                }
                ServerResponseException refused = ServerResponseException.of(response.statusCode(), null, body);
                if (!answered || !ServerOutage.isAway(refused)) {
                    throw refused;
                }
                outage.away(refused, following);
                continue;
            }
            answered = true;
            outage.back(following);
            IOException broken;
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(),
                    StandardCharsets.UTF_8))) {
                Event e;
                while ((e = next(reader)) != null) {
                    if (e.id() != null) {
                        lastId = e.id();
                    }
                    if ("log".equals(e.name())) {
                        JsonNode node = json.readTree(e.data());
                        List<String> lines = new ArrayList<>();
                        node.path("lines").forEach(l -> lines.add(l.asText()));
                        sink.accept(new KilnServer.LogBatch(node.path("sequence").asLong(), lines));
                    } else if ("end".equals(e.name())) {
                        return json.readTree(e.data()).path("state").asText(null);
                    }
                }
                broken = new IOException("the server closed the log stream before its end");
            } catch (IOException e) {
                broken = e;
            }
            outage.away(new ServerUnreachableException(baseUrl, broken), following);
        }
    }

    /** The next event of the stream, or null at its end. Comments and events without data are skipped. */
    static Event next(BufferedReader reader) throws IOException {
        String name = null;
        String id = null;
        StringBuilder data = null;
        String line;
        while ((line = reader.readLine()) != null) {
            if (line.isEmpty()) {
                if (data != null) {
                    return new Event(name == null ? "message" : name, id, data.toString());
                }
                name = null;
                id = null;
                continue;
            }
            if (line.startsWith(":")) {
                continue;
            }
            int colon = line.indexOf(':');
            String field = colon < 0 ? line : line.substring(0, colon);
            String value = colon < 0 ? "" : line.substring(colon + 1);
            if (value.startsWith(" ")) {
                value = value.substring(1);
            }
            switch (field) {
                case "event" -> name = value;
                case "id" -> id = value;
                case "data" -> {
                    if (data == null) {
                        data = new StringBuilder(value);
                    } else {
                        data.append('\n').append(value);
                    }
                }
                default -> {
                    // retry and unknown fields are ignored
                }
            }
        }
        return data == null ? null : new Event(name == null ? "message" : name, id, data.toString());
    }
}
