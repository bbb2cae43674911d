package dev.kiln.support.verify;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Reads simple signatures from a lookaside store over HTTP, as containers/image does: signature-1, -2, ... until 404. */
public final class LookasideClient {
    private static final int MAX_SIGNATURES = 100;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    /** A signature with the URL it came from. */
    public record Fetched(String url, byte[] bytes) {
    }

    /** Every signature under {@code <base>/<repository>@sha256=<hex>/}. */
    public List<Fetched> fetchAll(String base, String repository, String digest) {
        List<Fetched> all = new ArrayList<>();
        String trimmed = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        String dir = trimmed + "/" + repository + "@" + digest.replace(':', '=') + "/signature-";
        for (int n = 1; n <= MAX_SIGNATURES; n++) {
            String url = dir + n;
            try {
                HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).build(),
                        HttpResponse.BodyHandlers.ofByteArray());
                if (r.statusCode() == 404) {
                    break;
                }
                if (r.statusCode() != 200) {
                    throw new IllegalStateException("GET " + url + " answered " + r.statusCode());
                }
                all.add(new Fetched(url, r.body()));
            } catch (IOException e) {
                throw new IllegalStateException("cannot read " + url + ": " + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while reading " + url, e);
            }
        }
        return all;
    }
}
