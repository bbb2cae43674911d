package dev.kiln.containerbuild.rest;

import dev.kiln.containerbuild.client.DockerDaemon;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready when the builder's Docker daemon answers a ping ({@code /q/health/ready}). */
@Readiness
@ApplicationScoped
public class DockerReadinessCheck implements HealthCheck {
    @Inject
    DockerDaemon docker;

    @Override
    public HealthCheckResponse call() {
        try {
            docker.ping();
            return HealthCheckResponse.named("docker").up().withData("host", docker.host()).build();
        } catch (RuntimeException e) {
            return HealthCheckResponse.named("docker").down().withData("host", docker.host())
                    .withData("error", String.valueOf(e.getMessage())).build();
        }
    }
}
