package dev.kiln.containerbuild.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * The default of {@code kiln.worker-id}: {@code <hostname>-<pid>}, unique per running instance. A low ordinal, so
 * {@code KILN_WORKER_ID} or a property wins. It is a config value (not computed in code) because the cancel
 * channel's consumer group is named after it: {@code kiln-container-build-cancel-${kiln.worker-id}}.
 */
public class WorkerIdConfigSource implements ConfigSource {
    public static final String KEY = "kiln.worker-id";
    private static final String VALUE = defaultWorkerId();

    static String defaultWorkerId() {
        String host = System.getenv("HOSTNAME");
        if (host == null || host.isBlank()) {
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (UnknownHostException e) {
                host = "localhost";
            }
        }
        return host.replaceAll("[^A-Za-z0-9._-]", "-") + "-" + ProcessHandle.current().pid();
    }

    @Override
    public Set<String> getPropertyNames() {
        return Set.of(KEY);
    }

    @Override
    public Map<String, String> getProperties() {
        return Map.of(KEY, VALUE);
    }

    @Override
    public String getValue(String propertyName) {
        return KEY.equals(propertyName) ? VALUE : null;
    }

    @Override
    public String getName() {
        return "kiln-worker-id-default";
    }

    @Override
    public int getOrdinal() {
        return 50;
    }
}
