package dev.kiln.cli;

import dev.kiln.cli.client.GateClosedException;
import dev.kiln.cli.client.ServerResponseException;
import dev.kiln.cli.client.ServerUnreachableException;
import dev.kiln.cli.service.BuildFailedException;
import dev.kiln.cli.service.FollowTimeoutException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * The one place where failures become exit codes and the single line the user reads (a stack trace only with
 * {@code --verbose}). Usage errors (exit 2) are picocli's own parameter-exception handling.
 */
public final class ExitCodes implements IExecutionExceptionHandler {

    public static final int OK = 0;
    public static final int BUILD_FAILED = 1;
    /** kiln verify: no valid signature. */
    public static final int NOT_VERIFIED = 1;
    public static final int USAGE = 2;
    public static final int UNREACHABLE = 3;
    public static final int REFUSED = 4;
    public static final int SERVER_ERROR = 5;
    public static final int NOT_AUTHORIZED = 6;

    /** The exit code and the line for stderr. */
    public record Outcome(int code, String message) {
    }

    @Override
    public int handleExecutionException(Exception ex, CommandLine commandLine, ParseResult parseResult) {
        Outcome outcome = classify(ex);
        PrintWriter err = commandLine.getErr();
        err.println(outcome.message());
        if (verbose(parseResult)) {
            ex.printStackTrace(err);
        }
        err.flush();
        return outcome.code();
    }

    public static Outcome classify(Throwable failure) {
        BuildFailedException failed = find(failure, BuildFailedException.class);
        if (failed != null) {
            return new Outcome(BUILD_FAILED, failed.getMessage());
        }
        GateClosedException gate = find(failure, GateClosedException.class);
        if (gate != null) {
            return new Outcome(REFUSED, gate.explanation());
        }
        ServerResponseException response = find(failure, ServerResponseException.class);
        if (response != null) {
            if (response.status() == 401) {
                return new Outcome(NOT_AUTHORIZED, oneLine(response.problemLine())
                        + " (log in with kiln login, or set KILN_TOKEN / --token)");
            }
            if (response.status() == 403) {
                return new Outcome(NOT_AUTHORIZED, oneLine(response.problemLine()));
            }
            return response.isRefusal()
                    ? new Outcome(REFUSED, oneLine(response.problemLine()))
                    : new Outcome(SERVER_ERROR, "kiln: server error (HTTP " + response.status() + "): "
                            + oneLine(response.problemLine()));
        }
        ServerUnreachableException unreachable = find(failure, ServerUnreachableException.class);
        if (unreachable != null) {
            return new Outcome(UNREACHABLE, "kiln: " + oneLine(unreachable.getMessage()));
        }
        if (ServerUnreachableException.isConnectFailure(failure)) {
            return new Outcome(UNREACHABLE, "kiln: cannot reach the Kiln server: " + oneLine(describe(failure)));
        }
        jakarta.ws.rs.WebApplicationException web = find(failure, jakarta.ws.rs.WebApplicationException.class);
        if (web != null && web.getResponse() != null) {
            int status = web.getResponse().getStatus();
            String line = oneLine(describe(web));
            return status >= 400 && status < 500
                    ? new Outcome(REFUSED, line)
                    : new Outcome(SERVER_ERROR, "kiln: server error (HTTP " + status + "): " + line);
        }
        IllegalArgumentException config = find(failure, IllegalArgumentException.class);
        if (config != null && config.getMessage() != null && config.getMessage().contains("kiln config file")) {
            return new Outcome(USAGE, "kiln: " + oneLine(config.getMessage()));
        }
        FollowTimeoutException timeout = find(failure, FollowTimeoutException.class);
        if (timeout != null) {
            return new Outcome(SERVER_ERROR, "kiln: " + oneLine(timeout.getMessage()));
        }
        return new Outcome(SERVER_ERROR, "kiln: unexpected error: " + oneLine(describe(failure))
                + " (run with --verbose for details)");
    }

    private static boolean verbose(ParseResult parseResult) {
        for (ParseResult p = parseResult; p != null; p = p.subcommand()) {
            if (p.hasMatchedOption("--verbose")) {
                return true;
            }
        }
        return false;
    }

    private static String describe(Throwable t) {
        String message = t.getMessage();
        return message == null || message.isBlank() ? t.getClass().getSimpleName() : message;
    }

    private static String oneLine(String s) {
        if (s == null) {
            return "";
        }
        String flat = s.replaceAll("\\s*[\\r\\n]+\\s*", " ").strip();
        return flat.length() > 500 ? flat.substring(0, 500) + "…" : flat;
    }

    private static <E extends Throwable> E find(Throwable t, Class<E> type) {
        int depth = 0;
        for (Throwable c = t; c != null && depth < 20; c = c.getCause() == c ? null : c.getCause(), depth++) {
            if (type.isInstance(c)) {
                return type.cast(c);
            }
        }
        return null;
    }
}
