package dev.kiln.containerbuild.inspect;

import com.github.dockerjava.api.model.ImageHistory;
import dev.kiln.events.ImageLayer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The layers of an image, bottom first: the diff ids of its {@code rootfs} with the size and instruction of the
 * {@code docker history} step that made each. The history API does not say which steps made a layer (the image
 * config's {@code empty_layer} is not exposed), and size 0 does not tell: the legacy builder drops an empty diff
 * ({@code RUN true}, a {@code WORKDIR} that exists) but keeps {@code RUN mkdir /d} as a layer of size 0. So the steps
 * are lined up in two ways:
 * <ul>
 * <li>exactly, where a step names its image (the steps built on this daemon, and the newest step of a pulled
 * parent): that image's own layer count says how many layers the steps up to it made;</li>
 * <li>between such anchors (a pulled parent's {@code <missing>} steps), by what the steps are: a step with a size
 * made a layer; a metadata instruction ({@code LABEL}, {@code ENV}, {@code CMD}, ...) made none; the remaining
 * size-0 steps made one when that accounts for all layers of the stretch.</li>
 * </ul>
 * Layers of a stretch that cannot be lined up keep their diff id, with size 0 and no instruction.
 */
final class ImageLayers {
    static final String MISSING = "<missing>";
    private static final Set<String> METADATA = Set.of("LABEL", "ENV", "CMD", "ENTRYPOINT", "EXPOSE", "VOLUME", "USER",
            "STOPSIGNAL", "HEALTHCHECK", "SHELL", "ONBUILD", "MAINTAINER", "ARG");
    private static final List<String> NOP = List.of("/bin/sh -c #(nop)", "cmd /S /C #(nop)");
    private static final String SHELL = "/bin/sh -c ";

    /** The layers, and how many of them could not be matched to the step that made them. */
    record Result(List<ImageLayer> layers, int unmatched) {
    }

    private record Step(String imageId, long size, String createdBy) {
    }

    private ImageLayers() {
    }

    /**
     * Lines up {@code diffIds} (the image's {@code rootfs} layers, bottom first) with its {@code history} (newest
     * first, as the daemon answers). {@code layersOf} gives the {@code rootfs} layers of an image named by a step,
     * empty when the daemon no longer has it.
     */
    static Result lineUp(List<String> diffIds, List<ImageHistory> history, Function<String, Optional<List<String>>> layersOf) {
        List<Step> steps = new ArrayList<>();
        for (int i = history.size() - 1; i >= 0; i--) {
            ImageHistory h = history.get(i);
            String id = h.getId() == null || h.getId().isBlank() || MISSING.equals(h.getId()) ? null : h.getId();
            String createdBy = h.getCreatedBy() == null || h.getCreatedBy().isBlank() ? null : h.getCreatedBy().strip();
            steps.add(new Step(id, h.getSize() == null ? 0 : Math.max(0, h.getSize()), createdBy));
        }
        List<ImageLayer> layers = new ArrayList<>();
        int unmatched = 0;
        int fromStep = 0;
        int fromLayer = 0;
        for (int i = 0; i < steps.size(); i++) {
            int count;
            if (i == steps.size() - 1) {
                count = diffIds.size(); // the newest step is the image itself
            } else if (steps.get(i).imageId() == null) {
                continue;
            } else {
                Optional<List<String>> own = layersOf.apply(steps.get(i).imageId());
                // an anchor only counts when its layers are the bottom of ours and it does not go back
                if (own.isEmpty() || own.get().size() < fromLayer || own.get().size() > diffIds.size()
                        || !diffIds.subList(0, own.get().size()).equals(own.get())) {
                    continue;
                }
                count = own.get().size();
            }
            List<Step> stretch = steps.subList(fromStep, i + 1);
            List<String> stretchLayers = diffIds.subList(fromLayer, count);
            Optional<List<Step>> owners = owners(stretch, stretchLayers.size());
            for (int l = 0; l < stretchLayers.size(); l++) {
                String diffId = stretchLayers.get(l);
                layers.add(owners.isPresent()
                        ? new ImageLayer(diffId, owners.get().get(l).size(), owners.get().get(l).createdBy())
                        : new ImageLayer(diffId, 0, null));
            }
            if (owners.isEmpty()) {
                unmatched += stretchLayers.size();
            }
            fromStep = i + 1;
            fromLayer = count;
        }
        for (int l = fromLayer; l < diffIds.size(); l++) { // no history at all
            layers.add(new ImageLayer(diffIds.get(l), 0, null));
            unmatched++;
        }
        return new Result(layers, unmatched);
    }

    /** The steps of a stretch that made its {@code layers} layers, in order; empty when that cannot be told. */
    private static Optional<List<Step>> owners(List<Step> stretch, int layers) {
        if (layers == 0) {
            return Optional.of(List.of());
        }
        if (stretch.size() == 1 && layers == 1) {
            return Optional.of(stretch);
        }
        List<Step> sized = stretch.stream().filter(s -> s.size() > 0).toList();
        if (sized.size() == layers) {
            return Optional.of(sized);
        }
        List<Step> possible = stretch.stream().filter(s -> s.size() > 0 || !metadataOnly(s.createdBy())).toList();
        return possible.size() == layers ? Optional.of(possible) : Optional.empty();
    }

    /** Whether a step's instruction only changes the image config (never a layer). */
    static boolean metadataOnly(String createdBy) {
        if (createdBy == null) {
            return false; // an import
        }
        String s = dockerfileInstruction(createdBy);
        int space = s.indexOf(' ');
        return METADATA.contains((space < 0 ? s : s.substring(0, space)).toUpperCase(Locale.ROOT));
    }

    /**
     * A step as the Dockerfile instruction it came from: the legacy builder writes {@code /bin/sh -c #(nop) LABEL ...}
     * for instructions that run nothing and {@code /bin/sh -c <command>} for {@code RUN}; BuildKit writes the
     * instruction itself.
     */
    private static String dockerfileInstruction(String createdBy) {
        String s = createdBy.strip();
        for (String prefix : NOP) {
            if (s.startsWith(prefix)) {
                return s.substring(prefix.length()).strip();
            }
        }
        return s.startsWith(SHELL) ? "RUN " + s.substring(SHELL.length()).strip() : s;
    }

    /** One log line: {@code [kiln] layers: 3 (sha256:c908d8b69232… 2.0 MB ADD file:d7864cb6abf7… in /, …)}. */
    static String describe(List<ImageLayer> layers) {
        List<String> parts = new ArrayList<>();
        for (ImageLayer l : layers) {
            parts.add(l.diffId().substring(0, Math.min(l.diffId().length(), 19)) + "… " + size(l.sizeBytes()) + " "
                    + instruction(l.createdBy()));
        }
        return "[kiln] layers: " + layers.size() + (parts.isEmpty() ? "" : " (" + String.join(", ", parts) + ")");
    }

    /** A step as a short Dockerfile instruction: {@code RUN mkdir /d}, {@code ADD file:d7864cb6abf7… in /}. */
    static String instruction(String createdBy) {
        if (createdBy == null) {
            return "(instruction unknown)";
        }
        String s = dockerfileInstruction(createdBy).replaceAll("\\s+", " ")
                .replaceAll("([0-9a-f]{12})[0-9a-f]{20,}", "$1…");
        return s.length() > 60 ? s.substring(0, 59) + "…" : s;
    }

    /** Decimal units, as {@code docker history} shows them. */
    static String size(long bytes) {
        if (bytes < 1000) {
            return bytes + " B";
        }
        String[] units = {"kB", "MB", "GB", "TB"};
        double v = bytes;
        int u = -1;
        while (v >= 1000 && u < units.length - 1) {
            v /= 1000;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
