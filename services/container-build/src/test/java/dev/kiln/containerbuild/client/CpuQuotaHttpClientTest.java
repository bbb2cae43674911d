package dev.kiln.containerbuild.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

/** kiln.build.cpus as a CFS quota, and which requests get it (the daemon's side is in ContainerBuildTest). */
class CpuQuotaHttpClientTest {

    @Test
    void cpusBecomeAQuotaPerHundredMillisecondPeriod() {
        assertEquals(200_000, CpuQuotaHttpClient.quotaMicros(new BigDecimal("2")));
        assertEquals(150_000, CpuQuotaHttpClient.quotaMicros(new BigDecimal("1.5")));
        assertEquals(1_000, CpuQuotaHttpClient.quotaMicros(new BigDecimal("0.01")));
        assertEquals(33_333, CpuQuotaHttpClient.quotaMicros(new BigDecimal("0.33333")));
        assertEquals(0, CpuQuotaHttpClient.quotaMicros(BigDecimal.ZERO), "0: no quota");
        for (String bad : new String[] {"0.005", "-1"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> CpuQuotaHttpClient.quotaMicros(new BigDecimal(bad)));
            assertTrue(e.getMessage().startsWith("kiln.build.cpus is " + bad + ":") && e.getMessage().contains("0.01"),
                    e.getMessage());
        }
    }

    @Test
    void onlyBuildRequestsGainTheQuota() {
        assertEquals("/v1.41/build?t=kiln-build%2Fx%3Alatest&forcerm=true&cpuperiod=100000&cpuquota=150000",
                CpuQuotaHttpClient.withQuota("POST", "/v1.41/build?t=kiln-build%2Fx%3Alatest&forcerm=true", 150_000));
        assertEquals("/build?cpuperiod=100000&cpuquota=200000", CpuQuotaHttpClient.withQuota("POST", "/build", 200_000));
        assertEquals("/v1.41/build/prune", CpuQuotaHttpClient.withQuota("POST", "/v1.41/build/prune", 200_000));
        assertEquals("/v1.41/containers/create", CpuQuotaHttpClient.withQuota("POST", "/v1.41/containers/create", 200_000));
        assertEquals("/v1.41/build?t=x", CpuQuotaHttpClient.withQuota("GET", "/v1.41/build?t=x", 200_000));
        assertEquals("/v1.41/build?t=x", CpuQuotaHttpClient.withQuota("POST", "/v1.41/build?t=x", 0), "no quota");
    }
}
