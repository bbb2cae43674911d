package dev.kiln.support.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Answers of the hub ({@code GET /api/v1/whoami}) about bearer tokens, kept briefly so that a service does not ask the
 * hub on every request. An answer (the identity, or "unknown token") is kept for {@code ttl}; at most {@code maxSize}
 * answers are kept (least recently used go first). A failure to reach the hub is an exception of {@code ask} and is
 * never kept. Tokens are kept only as their SHA-256.
 *
 * @param <V> what the hub says about a token
 */
public final class IdentityCache<V> {
    private record Entry<V>(Optional<V> answer, Instant expires) {
    }

    private final Duration ttl;
    private final int maxSize;
    private final Clock clock;
    private final Map<String, Entry<V>> entries;

    public IdentityCache(Duration ttl, int maxSize) {
        this(ttl, maxSize, Clock.systemUTC());
    }

    public IdentityCache(Duration ttl, int maxSize, Clock clock) {
        if (ttl.isNegative() || maxSize < 0) {
            throw new IllegalArgumentException("ttl and maxSize must not be negative");
        }
        this.ttl = ttl;
        this.maxSize = maxSize;
        this.clock = Objects.requireNonNull(clock);
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Entry<V>> eldest) {
                return size() > IdentityCache.this.maxSize;
            }
        };
    }

    /**
     * What is known about {@code token}: a kept answer younger than the ttl, else {@code ask.apply(token)} (whose
     * exceptions pass through and are not kept).
     */
    public Optional<V> lookup(String token, Function<String, Optional<V>> ask) {
        String key = sha256(token);
        Instant now = clock.instant();
        synchronized (entries) {
            Entry<V> e = entries.get(key);
            if (e != null && now.isBefore(e.expires())) {
                return e.answer();
            }
            entries.remove(key);
        }
        Optional<V> answer = Objects.requireNonNull(ask.apply(token), "ask must not return null");
        if (maxSize > 0 && !ttl.isZero()) {
            synchronized (entries) {
                entries.put(key, new Entry<>(answer, now.plus(ttl)));
            }
        }
        return answer;
    }

    /** How many answers are kept now (expired ones included until they are looked up or pushed out). */
    public int size() {
        synchronized (entries) {
            return entries.size();
        }
    }

    private static String sha256(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
