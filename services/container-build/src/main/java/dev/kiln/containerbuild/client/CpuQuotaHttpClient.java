package dev.kiln.containerbuild.client;

import com.github.dockerjava.transport.DockerHttpClient;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.regex.Pattern;

/**
 * Gives every {@code POST /build} a CPU quota ({@code cpuperiod}, {@code cpuquota}: query parameters of the Docker
 * Engine API 1.41 build endpoint), which docker-java 3.7.1's {@code BuildImageCmd} cannot set. Every other request,
 * and the transport underneath (mutual TLS included), stays as it is.
 */
public final class CpuQuotaHttpClient implements DockerHttpClient {
    /** The CFS period, microseconds: the kernel's and {@code docker run --cpus}' default. */
    public static final long PERIOD_MICROS = 100_000;
    private static final Pattern BUILD = Pattern.compile("^(/v[0-9.]+)?/build(\\?.*)?$");

    private final DockerHttpClient delegate;
    private final long quotaMicros;

    /** {@code quotaMicros} 0: requests pass unchanged. */
    public CpuQuotaHttpClient(DockerHttpClient delegate, long quotaMicros) {
        this.delegate = delegate;
        this.quotaMicros = quotaMicros;
    }

    /**
     * The quota for {@code cpus} CPUs (like {@code docker run --cpus}): {@code cpus × 100000} µs per 100000 µs period;
     * 0 for 0 (no quota). The kernel takes no quota below 1000 µs, so fewer than 0.01 CPUs are refused.
     */
    public static long quotaMicros(BigDecimal cpus) {
        if (cpus.signum() == 0) {
            return 0;
        }
        if (cpus.compareTo(new BigDecimal("0.01")) < 0) {
            throw new IllegalArgumentException("kiln.build.cpus is " + cpus.toPlainString()
                    + ": give the CPUs a build may use as a decimal of at least 0.01 (like docker run --cpus), or 0"
                    + " for no CPU quota");
        }
        return cpus.multiply(BigDecimal.valueOf(PERIOD_MICROS)).setScale(0, RoundingMode.HALF_UP)
                .longValueExact();
    }

    /** The request path with the quota added when it is a build; any other path unchanged. */
    static String withQuota(String method, String path, long quotaMicros) {
        if (quotaMicros <= 0 || !"POST".equals(method) || !BUILD.matcher(path).matches()) {
            return path;
        }
        return path + (path.contains("?") ? "&" : "?") + "cpuperiod=" + PERIOD_MICROS + "&cpuquota=" + quotaMicros;
    }

    @Override
    public Response execute(Request request) {
        String path = withQuota(request.method(), request.path(), quotaMicros);
        if (path.equals(request.path())) {
            return delegate.execute(request);
        }
        return delegate.execute(Request.builder().from(request).path(path).build());
    }

    @Override
    public void close() throws IOException {
        delegate.close();
    }
}
