package dev.kiln.cli.client;

/** No connection could be made to the server (refused, unknown host, timed out). */
public class ServerUnreachableException extends RuntimeException {

    private final String server;

    public ServerUnreachableException(String server, Throwable cause) {
        this(server, "cannot reach the Kiln server at " + server + ": " + reason(cause), cause);
    }

    private ServerUnreachableException(String server, String message, Throwable cause) {
        super(message, cause);
        this.server = server;
    }

    /** A registry that cannot be reached or used (its TLS certificate not trusted, say): {@code reason} as it is. */
    public static ServerUnreachableException registry(String url, String reason, Throwable cause) {
        return new ServerUnreachableException(url, "cannot use the registry at " + url + ": " + reason, cause);
    }

    public String server() {
        return server;
    }

    /** True when {@code failure} or one of its causes says no connection could be made. */
    public static boolean isConnectFailure(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof java.net.ConnectException || t instanceof java.net.UnknownHostException
                    || t instanceof java.net.NoRouteToHostException
                    || t.getClass().getName().endsWith("ConnectTimeoutException")) {
                return true;
            }
        }
        return false;
    }

    private static String reason(Throwable cause) {
        Throwable root = cause;
        while (root != null && root.getCause() != null && root.getCause() != root) {
            if (root instanceof java.net.ConnectException || root instanceof java.net.UnknownHostException) {
                break;
            }
            root = root.getCause();
        }
        if (root == null) {
            return "unknown error";
        }
        if (root instanceof java.net.UnknownHostException) {
            return "unknown host " + root.getMessage();
        }
        String message = root.getMessage();
        if (message == null || message.isBlank()) {
            return root.getClass().getSimpleName();
        }
        // Netty adds ": localhost/127.0.0.1:8080" to "Connection refused"; the URL is printed already.
        int colon = message.indexOf(": ");
        return colon > 0 && message.startsWith("Connection refused") ? message.substring(0, colon) : message;
    }
}
