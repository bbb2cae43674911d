package dev.kiln.support.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class CosignFormatTest {
    @Test
    void payloadAndConfigHaveTheCosignShape() {
        String digest = "sha256:" + "0".repeat(64);
        byte[] payload = CosignFormat.payload("localhost:5000/hello:1.0-1", digest, Instant.ofEpochSecond(1700000000));
        assertEquals("{\"critical\":{\"identity\":{\"docker-reference\":\"localhost:5000/hello:1.0-1\"},\"image\":"
                + "{\"docker-manifest-digest\":\"" + digest + "\"},\"type\":\"cosign container image signature\"},"
                + "\"optional\":{\"creator\":\"kiln-signing\",\"timestamp\":1700000000}}", new String(payload, StandardCharsets.UTF_8));
        assertEquals(new CosignFormat.Identity("localhost:5000/hello:1.0-1", digest), CosignFormat.identity(payload).orElseThrow());
        assertEquals("{\"architecture\":\"\",\"config\":{},\"created\":\"0001-01-01T00:00:00Z\",\"history\":[{\"created\":"
                + "\"0001-01-01T00:00:00Z\"}],\"os\":\"\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" + digest + "\"]}}",
                new String(CosignFormat.config(List.of(digest)), StandardCharsets.UTF_8));
    }
}
