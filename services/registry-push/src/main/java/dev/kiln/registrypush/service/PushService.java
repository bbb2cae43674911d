package dev.kiln.registrypush.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectImageResponse;
import com.google.cloud.tools.jib.api.ImageReference;
import dev.kiln.events.BuildCompleted;
import dev.kiln.events.BuildFailed;
import dev.kiln.events.ImagePushed;
import dev.kiln.events.KilnEvent;
import dev.kiln.events.Stage;
import dev.kiln.registrypush.client.DaemonException;
import dev.kiln.registrypush.client.DaemonImagePusher;
import dev.kiln.registrypush.config.RegistryPushConfig;
import dev.kiln.registrypush.domain.PushFailure;
import dev.kiln.registrypush.domain.PushTags;
import dev.kiln.registrypush.domain.SbomAttachment;
import dev.kiln.support.docker.BuildImageTag;
import dev.kiln.support.docker.DockerClients;
import dev.kiln.support.docker.KilnLabels;
import dev.kiln.support.messaging.RetryPolicy;
import dev.kiln.support.messaging.TransientFailure;
import dev.kiln.support.registry.RegistryClient;
import dev.kiln.support.registry.RegistryException;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * atomic-reactor's tag_and_push: moves a built image from its builder's daemon into the candidate registry, attaches
 * the build's SBOM to it ({@code sha256-<hex>.sbom}, which release copies to production with the image) and says so
 * with {@code kiln.image.pushed}, or with {@code kiln.build.failed} (stage push) when it cannot.
 *
 * <p>Longer than the house's 300 lines: the push, the redelivery check (a candidate tag that already holds the image)
 * and the SBOM attachment are one idempotent step per event.
 */
@ApplicationScoped
public class PushService {
    private static final Logger LOG = Logger.getLogger(PushService.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    RegistryPushConfig config;

    /** The shared backoff ({@code kiln.messaging.retry.*}); set before {@link #init} by tests. */
    RetryPolicy policy;
    private RegistryClient registry;
    private DaemonImagePusher pusher;
    private Optional<ProvenanceAttacher> provenance;

    /** A service outside CDI (the push benchmark, tools): {@code config} as it would be injected. */
    public static PushService standalone(RegistryPushConfig config) {
        PushService service = new PushService();
        service.config = config;
        service.init();
        return service;
    }

    @PostConstruct
    void init() {
        if (policy == null) {
            policy = RetryPolicy.configured();
        }
        registry = config.registry().candidate().client(config.push().timeout());
        Path cacheDir;
        try {
            cacheDir = config.push().cacheDir().isPresent()
                    ? Files.createDirectories(Path.of(config.push().cacheDir().get()))
                    : Files.createTempDirectory("kiln-registry-push-cache-");
        } catch (IOException e) {
            throw new IllegalStateException("cannot create the layer cache directory: " + e.getMessage(), e);
        }
        pusher = new DaemonImagePusher(cacheDir);
        provenance = ProvenanceAttacher.configured(config.provenance().keyFile(), config.provenance().builderId());
    }

    /** {@link #push(BuildCompleted, Instant)} of an event first tried now. */
    public KilnEvent push(BuildCompleted event) {
        return push(event, Instant.now());
    }

    /**
     * Pushes the image of {@code event} and attaches its SBOM; returns the event to send: {@link ImagePushed}, or
     * {@link BuildFailed} when either step fails for good (the attachment is part of the push). Each step is tried
     * {@code kiln.messaging.retry.attempts} times with the shared backoff while it fails transiently; past that a
     * registry that is away is a {@link TransientFailure}, which the consumer template retries for as long as it lasts.
     * A builder daemon that stays away since {@code firstTried} for longer than
     * {@code kiln.messaging.retry.give-up-after} ends the build ({@code docker-unavailable}, transient): the image lives
     * only in that daemon, and waiting for it without end would hold up every later build of the partition.
     */
    public KilnEvent push(BuildCompleted event, Instant firstTried) {
        String candidate = config.registry().candidate().address();
        String repository = PushTags.repository(event.nvr());
        List<String> tags;
        try {
            tags = PushTags.tags(event.buildId(), event.scratch(), event.nvr());
        } catch (IllegalArgumentException e) {
            return failed(event, new PushFailure(PushFailure.INVALID_IMAGE_NAME, e.getMessage(), false), 1);
        }
        if (!ImageReference.isValidRepository(repository)) {
            return failed(event, new PushFailure(PushFailure.INVALID_IMAGE_NAME, "the name label '" + repository
                    + "' is not a valid repository name (lower-case letters, digits, '.', '_', '-', '/')", false), 1);
        }
        for (String tag : tags) {
            if (!ImageReference.isValidTag(tag)) {
                return failed(event, new PushFailure(PushFailure.INVALID_IMAGE_NAME, "'" + tag
                        + "' (from the version and release labels) is not a valid tag", false), 1);
            }
        }
        try {
            if (DockerClients.checkMutualTls(event.dockerHost(), config.docker().certPath(),
                    config.docker().allowInsecureSocket())) {
                LOG.warnf("build %s: the Docker daemon %s is reached without mutual TLS"
                        + " (kiln.docker.allow-insecure-socket=true): development profile only", event.buildId(),
                        event.dockerHost());
            }
        } catch (IllegalStateException e) {
            return failed(event, new PushFailure(PushFailure.DOCKER_TLS_REQUIRED, e.getMessage(), false), 1);
        }
        Target target = new Target(candidate, repository, tags);

        Result<ImagePushed> pushed = retrying(event, "push", () -> pushOnce(event, target), FailureClassifier::classify);
        if (pushed.failure() != null) {
            waitOrEnd(event, pushed, firstTried);
            untagBuildImage(event);
            return failed(event, pushed.failure(), pushed.attempts());
        }
        Result<String> attached = retrying(event, "SBOM attachment", () -> attachSbom(event, pushed.value()),
                FailureClassifier::classifySbomAttachment);
        if (attached.failure() != null) {
            waitOrEnd(event, attached, firstTried);
        } else if (provenance.isPresent()) {
            Result<Boolean> attested = retrying(event, "provenance attachment",
                    () -> provenance.get().attach(registry, event, pushed.value()),
                    FailureClassifier::classifyProvenanceAttachment);
            if (attested.failure() != null) {
                waitOrEnd(event, attested, firstTried);
                untagBuildImage(event);
                return failed(event, attested.failure(), attested.attempts());
            }
        }
        untagBuildImage(event);
        return attached.failure() == null ? pushed.value() : failed(event, attached.failure(), attached.attempts());
    }

    /**
     * After a step's last attempt: a transient failure is thrown as a {@link TransientFailure} (the event is tried
     * again later), unless it is the builder daemon and it has been away longer than
     * {@code kiln.messaging.retry.give-up-after}; then, and for a permanent failure, this returns and the build ends.
     */
    private void waitOrEnd(BuildCompleted event, Result<?> result, Instant firstTried) {
        PushFailure failure = result.failure();
        if (!failure.transientFailure()) {
            return;
        }
        if (PushFailure.DOCKER_UNAVAILABLE.equals(failure.reason()) && policy.givesUp(firstTried)) {
            return;
        }
        throw new TransientFailure("build " + event.buildId() + ": " + failure.reason() + " after " + result.attempts()
                + " attempt(s), the event is tried again later: " + failure.detail(), null);
    }

    /**
     * Daemon hygiene: once the image is in the candidate registry (or can never get there), its builder drops the
     * build's tag, so the image and its intermediate layers leave the daemon unless another tag or a child holds
     * them. Best effort: a daemon that cannot be reached keeps the tag, and the build goes on.
     */
    private void untagBuildImage(BuildCompleted event) {
        String tag = BuildImageTag.of(event.buildId());
        try (DockerClient docker = DockerClients.create(event.dockerHost(), config.docker().certPath())) {
            docker.removeImageCmd(tag).withForce(false).exec();
            LOG.debugf("build %s: removed %s from %s", event.buildId(), tag, event.dockerHost());
        } catch (com.github.dockerjava.api.exception.NotFoundException e) {
            // not tagged, or already removed
        } catch (Exception e) {
            LOG.infof("build %s: could not remove %s from %s: %s", event.buildId(), tag, event.dockerHost(),
                    e.getMessage());
        }
    }

    /** One step of a push, tried again while it fails transiently. */
    @FunctionalInterface
    private interface Step<T> {
        T run() throws Exception;
    }

    /** What a step ended with: its value, or the failure of its last attempt. */
    private record Result<T>(T value, PushFailure failure, int attempts) {
    }

    /** Runs {@code step} up to {@code kiln.messaging.retry.attempts} times while it fails transiently (shared backoff). */
    private <T> Result<T> retrying(BuildCompleted event, String what, Step<T> step,
            Function<Exception, PushFailure> classify) {
        int attempts = policy.attempts();
        for (int attempt = 1; ; attempt++) {
            try {
                return new Result<>(step.run(), null, attempt);
            } catch (Exception e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                PushFailure failure = classify.apply(e);
                if (!failure.transientFailure() || attempt >= attempts || Thread.currentThread().isInterrupted()) {
                    LOG.warnf("%s of build %s failed (%s) after %d attempt(s): %s", what, event.buildId(),
                            failure.reason(), attempt, failure.detail());
                    return new Result<>(null, failure, attempt);
                }
                LOG.infof("%s of build %s failed (%s), attempt %d of %d, trying again: %s", what, event.buildId(),
                        failure.reason(), attempt, attempts, failure.detail());
                if (!policy.pause(attempt, () -> Thread.currentThread().isInterrupted())) {
                    return new Result<>(null, failure, attempt);
                }
            }
        }
    }

    /** Where the image goes: {@code registry/repository:tag} for every tag (at least one). */
    private record Target(String registry, String repository, List<String> tags) {
    }

    private ImagePushed pushOnce(BuildCompleted event, Target target) throws Exception {
        String tag = target.tags().get(0);
        // the registry first: a redelivered event whose image is there already needs no daemon (its build tag, and
        // with it the image, may have left the daemon after the first push)
        Optional<ImagePushed> shipped = alreadyShipped(event, target, tag);
        if (shipped.isPresent()) {
            return shipped.get();
        }
        DockerClient client;
        try {
            client = DockerClients.create(event.dockerHost(), config.docker().certPath());
        } catch (RuntimeException e) {
            throw new DaemonException("cannot connect to the Docker daemon at " + event.dockerHost() + ": "
                    + e.getMessage(), false, e);
        }
        try (DockerClient docker = client) {
            InspectImageResponse image;
            try {
                image = docker.inspectImageCmd(event.imageId()).exec();
            } catch (com.github.dockerjava.api.exception.NotFoundException e) {
                throw new DaemonException("image " + event.imageId() + " is not in the Docker daemon at "
                        + event.dockerHost(), true, e);
            } catch (RuntimeException e) {
                throw new DaemonException("the Docker daemon at " + event.dockerHost() + " cannot be reached: "
                        + e.getMessage(), false, e);
            }
            DaemonImagePusher.Pushed pushed = pusher.push(docker, image.getId(), registry, target.repository(),
                    target.tags());
            String digest = pushed.digest();
            RegistryClient.Manifest manifest = registry.getManifest(target.repository(), tag)
                    .orElseThrow(() -> new RegistryException("the tag " + tag + " that was just pushed to "
                            + target.registry() + "/" + target.repository() + " is not there", true));
            if (!manifest.digest().equals(digest)) {
                throw new DigestMismatch(target.registry() + "/" + target.repository() + ":" + tag
                        + " serves a manifest with digest " + manifest.digest() + " where registry-push pushed " + digest);
            }
            // what was built is what ships: the config the registry serves is the daemon's, its digest the image id
            String config = JSON.readTree(manifest.bytes()).path("config").path("digest").asText();
            if (!config.equals(image.getId())) {
                throw new DaemonImagePusher.ConfigMismatchException(target.registry() + "/" + target.repository() + ":"
                        + tag + " names configuration " + config + " where the built image is " + image.getId());
            }
            long size = size(manifest.bytes());
            LOG.infof("pushed build %s as %s/%s@%s (%s; config %s; %d layer(s) sent, %d already there)", event.buildId(),
                    target.registry(), target.repository(), digest, String.join(", ", target.tags()),
                    pushed.configDigest(), pushed.layersSent(), pushed.layersReused());
            return new ImagePushed(event.buildId(), event.component(), event.scratch(), event.nvr(), target.registry(),
                    target.repository(), target.tags(), digest, manifest.mediaType(), size, Instant.now());
        }
    }

    /**
     * What was built is what ships, once. When the build's tag already names {@code event}'s image (its config digest
     * is the image id), the push happened before (the event is a redelivery): nothing is pushed and
     * {@code image.pushed} is said again for it. When it names another image of this very build (its
     * {@code dev.kiln.build-id} label), a redelivered {@code build.requested} was built a second time; that first
     * image is the one the hub, QA and signing know, so it stays and is announced again. A tag holding another build's
     * image (an earlier build of the same NVR that failed) is replaced as before.
     */
    private Optional<ImagePushed> alreadyShipped(BuildCompleted event, Target target, String tag) throws IOException {
        Optional<RegistryClient.Manifest> existing = registry.getManifest(target.repository(), tag);
        if (existing.isEmpty()) {
            return Optional.empty();
        }
        JsonNode manifest = JSON.readTree(existing.get().bytes());
        String config = manifest.path("config").path("digest").asText();
        if (config.isEmpty()) {
            return Optional.empty();
        }
        if (config.equals(event.imageId())) {
            LOG.infof("build %s: %s/%s:%s already holds image %s: announced again, nothing pushed", event.buildId(),
                    target.registry(), target.repository(), tag, config);
            return Optional.of(new ImagePushed(event.buildId(), event.component(), event.scratch(), event.nvr(),
                    target.registry(), target.repository(), target.tags(), existing.get().digest(),
                    existing.get().mediaType(), size(existing.get().bytes()), Instant.now()));
        }
        JsonNode labels = JSON.readTree(registry.getBlob(target.repository(), config)).path("config").path("Labels");
        if (!event.buildId().equals(labels.path(KilnLabels.BUILD_ID).asText())) {
            return Optional.empty();
        }
        LOG.warnf("build %s was built again (image %s) but %s/%s:%s already holds its first image %s: that one stays",
                event.buildId(), event.imageId(), target.registry(), target.repository(), tag, config);
        return Optional.of(new ImagePushed(event.buildId(), event.component(), event.scratch(), event.nvr(),
                target.registry(), target.repository(), target.tags(), existing.get().digest(),
                existing.get().mediaType(), size(existing.get().bytes()), Instant.now()));
    }

    /**
     * Attaches the build's CycloneDX SBOM to the pushed image as {@code cosign attach sbom} does and returns the digest
     * of the {@code .sbom} manifest. Blobs the registry holds are not sent again; the manifest is put every time
     * (a redelivered event puts the same bytes).
     */
    private String attachSbom(BuildCompleted event, ImagePushed pushed) {
        String repository = pushed.repository();
        SbomAttachment sbom = SbomAttachment.of(event, pushed.registry(), repository, pushed.digest());
        if (!registry.blobExists(repository, sbom.sbomDigest())) {
            registry.putBlob(repository, sbom.sbomDigest(), sbom.sbom());
        }
        if (!registry.blobExists(repository, sbom.configDigest())) {
            registry.putBlob(repository, sbom.configDigest(), sbom.config());
        }
        String digest = registry.putManifest(repository, sbom.tag(), sbom.manifest(), RegistryClient.OCI_MANIFEST);
        LOG.infof("attached the SBOM of build %s (%d package(s)) as %s/%s:%s (%s)", event.buildId(),
                event.contentManifest().size(), pushed.registry(), repository, sbom.tag(), digest);
        return digest;
    }

    /** Config size plus the sizes of all layers, as the manifest states them. */
    static long size(byte[] manifest) throws IOException {
        JsonNode root = JSON.readTree(manifest);
        long size = root.path("config").path("size").asLong(0);
        for (JsonNode layer : root.path("layers")) {
            size += layer.path("size").asLong(0);
        }
        return size;
    }

    private BuildFailed failed(BuildCompleted event, PushFailure failure, int attempts) {
        String candidate = config.registry().candidate().address();
        String message = switch (failure.reason()) {
            case PushFailure.IMAGE_MISSING -> "The built image " + event.imageId() + " is no longer in the Docker daemon at "
                    + event.dockerHost() + "; build it again. (" + failure.detail() + ")";
            case PushFailure.REGISTRY_AUTH_FAILED -> "The candidate registry " + candidate
                    + " refused registry-push's credentials; check kiln.registry.candidate.username and password. ("
                    + failure.detail() + ")";
            case PushFailure.DOCKER_UNAVAILABLE -> "The Docker daemon at " + event.dockerHost()
                    + " that built the image could not be reached for " + policy.giveUpAfter().toMinutes()
                    + " minute(s), and the image is only there; build it again. (" + failure.detail() + ")";
            case PushFailure.DOCKER_TLS_REQUIRED -> "The image was built on " + event.dockerHost()
                    + ", which registry-push reaches only with mutual TLS; ask an administrator to run the builders with"
                    + " kiln certs and give registry-push their client certificate. (" + failure.detail() + ")";
            case PushFailure.INVALID_IMAGE_NAME -> "The image cannot be named in the candidate registry: "
                    + failure.detail() + "; fix the name/version/release labels.";
            case PushFailure.PROVENANCE_ATTACH_FAILED -> "The image was pushed to the candidate registry " + candidate
                    + " but its signed provenance could not be attached after " + attempts + " attempt(s); "
                    + (failure.transientFailure() ? "try again when the registry is back."
                    : "ask an administrator why the registry refuses it.") + " (" + failure.detail() + ")";
            case PushFailure.SBOM_ATTACH_FAILED -> "The image was pushed to the candidate registry " + candidate
                    + " but its SBOM could not be attached after " + attempts + " attempt(s); " + (failure.transientFailure()
                    ? "try again when the registry is back." : "ask an administrator why the registry refuses it.")
                    + " (" + failure.detail() + ")";
            case PushFailure.CONFIG_MISMATCH -> "The image in the Docker daemon at " + event.dockerHost()
                    + " is not the image that was built, or the candidate registry " + candidate
                    + " does not serve its configuration unchanged, so it is not pushed; build it again, and ask an"
                    + " administrator to check the daemon and the registry if it happens again. (" + failure.detail() + ")";
            case PushFailure.DIGEST_MISMATCH -> "The candidate registry " + candidate
                    + " does not hold what was pushed; ask an administrator to check it. (" + failure.detail() + ")";
            default -> "The candidate registry " + candidate + " refused the image: " + failure.detail();
        };
        return new BuildFailed(event.buildId(), Stage.PUSH, failure.reason(), message, failure.transientFailure(),
                Instant.now());
    }

    /** The registry's manifest is not the one Jib pushed. */
    static final class DigestMismatch extends Exception {
        DigestMismatch(String message) {
            super(message);
        }
    }
}
