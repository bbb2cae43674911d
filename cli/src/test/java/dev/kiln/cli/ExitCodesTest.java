package dev.kiln.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.cli.client.ServerResponseException;
import dev.kiln.cli.client.ServerUnreachableException;
import dev.kiln.cli.domain.Build;
import dev.kiln.cli.service.BuildFailedException;
import dev.kiln.cli.service.FollowTimeoutException;
import jakarta.ws.rs.ProcessingException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExitCodesTest {

    static Build failed(String state) {
        return new Build("b1", "hello", state, false, "alice", null, null, null, null, null, List.of(),
                new Build.Failure("qa", "test-failed", "kiln.image.starts failed"), null, null, null, null, null,
                null, null);
    }

    @Test
    void aFailedOrCanceledBuildIsOne() {
        ExitCodes.Outcome o = ExitCodes.classify(BuildFailedException.of(failed("FAILED")));
        assertEquals(1, o.code());
        assertEquals("Build b1 FAILED at stage qa (test-failed): kiln.image.starts failed", o.message());
        assertEquals(1, ExitCodes.classify(BuildFailedException.of(failed("CANCELED"))).code());
    }

    @Test
    void anUnreachableServerIsThree() {
        ConnectException refused = new ConnectException("Connection refused: localhost/127.0.0.1:8080");
        ExitCodes.Outcome o = ExitCodes.classify(new ServerUnreachableException("http://localhost:8080",
                new ProcessingException(refused)));
        assertEquals(3, o.code());
        assertEquals("kiln: cannot reach the Kiln server at http://localhost:8080: Connection refused", o.message());
        // Also when the REST client's exception arrives unwrapped.
        assertEquals(3, ExitCodes.classify(new ProcessingException(refused)).code());
    }

    @Test
    void aRefusalIsFourWithTheProblemTitleAndDetail() {
        String problem = "{\"type\":\"about:blank\",\"title\":\"Component not owned\",\"status\":403,"
                + "\"detail\":\"bob may not build hello\"}";
        ExitCodes.Outcome o = ExitCodes.classify(ServerResponseException.of(403, "Forbidden", problem));
        assertEquals(6, o.code(), "403: not allowed");
        assertEquals("Component not owned: bob may not build hello", o.message());
        ExitCodes.Outcome unauth = ExitCodes.classify(ServerResponseException.of(401, "Unauthorized",
                "{\"title\":\"Not authenticated\",\"detail\":\"this request needs a token\"}"));
        assertEquals(6, unauth.code());
        assertEquals("Not authenticated: this request needs a token (log in with kiln login, or set KILN_TOKEN / "
                + "--token)", unauth.message());
        assertEquals(4, ExitCodes.classify(ServerResponseException.of(409, "Conflict", problem)).code());
        // Wrapped, as the REST client may do.
        assertEquals(4, ExitCodes.classify(new RuntimeException(ServerResponseException.of(404, "Not Found", null)))
                .code());
        assertEquals("Not Found", ExitCodes.classify(ServerResponseException.of(404, "Not Found", "")).message());
    }

    @Test
    void aServerErrorATimeoutOrAnythingElseIsFive() {
        ExitCodes.Outcome o = ExitCodes.classify(ServerResponseException.of(500, "Internal Server Error",
                "<html>\n<body>boom</body>\n</html>"));
        assertEquals(5, o.code());
        assertEquals("kiln: server error (HTTP 500): Internal Server Error: <html>", o.message());

        assertEquals(5, ExitCodes.classify(new FollowTimeoutException("b1", "BUILDING", Duration.ofSeconds(3)))
                .code());
        ExitCodes.Outcome unexpected = ExitCodes.classify(new IllegalStateException("line one\nline two"));
        assertEquals(5, unexpected.code());
        assertTrue(unexpected.message().startsWith("kiln: unexpected error: line one line two"),
                unexpected.message());
        assertEquals(5, ExitCodes.classify(new NullPointerException()).code());
    }
}
