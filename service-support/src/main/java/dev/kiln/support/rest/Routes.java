package dev.kiln.support.rest;

import jakarta.ws.rs.core.MediaType;
import java.util.LinkedHashSet;
import java.util.Set;
import org.jboss.resteasy.reactive.server.core.CurrentRequestManager;
import org.jboss.resteasy.reactive.server.core.ResteasyReactiveRequestContext;
import org.jboss.resteasy.reactive.server.handlers.ClassRoutingHandler;
import org.jboss.resteasy.reactive.server.handlers.RestInitialHandler;
import org.jboss.resteasy.reactive.server.mapping.RequestMapper;
import org.jboss.resteasy.reactive.server.mapping.RuntimeResource;
import org.jboss.resteasy.reactive.server.spi.ServerRestHandler;

/**
 * What the resource methods at the current request's path and method accept: Quarkus refuses a request whose
 * Content-Type no method there consumes before any resource method is chosen, so the 415 answer looks them up here
 * to name the accepted types.
 */
final class Routes {
    private Routes() {
    }

    /** The media types the methods for this request's path and HTTP method consume; empty when unknown. */
    static Set<String> consumedHere() {
        return lookUp(false);
    }

    /** The HTTP methods some resource method answers at this request's path; empty when unknown. */
    static Set<String> allowedHere() {
        return lookUp(true);
    }

    private static Set<String> lookUp(boolean methodsInstead) {
        Set<String> types = new LinkedHashSet<>();
        try {
            ResteasyReactiveRequestContext ctx = CurrentRequestManager.get();
            if (ctx == null) {
                return types;
            }
            String path = ctx.getPathWithoutPrefix();
            RequestMapper<RestInitialHandler.InitialMatch> classes = new RequestMapper<>(ctx.getDeployment().getClassMappers());
            for (RequestMapper.RequestMatch<RestInitialHandler.InitialMatch> c = classes.map(path); c != null;
                    c = classes.continueMatching(path, c)) {
                String remaining = c.remaining == null || c.remaining.isEmpty() ? "/" : c.remaining;
                for (ServerRestHandler h : c.value.handlers) {
                    if (h instanceof ClassRoutingHandler routing && methodsInstead) {
                        routing.getMappers().forEach((method, mapper) -> {
                            if (method != null && mapper.map(remaining) != null) {
                                types.add(method);
                            }
                        });
                    } else if (h instanceof ClassRoutingHandler routing) {
                        RequestMapper<RuntimeResource> methods = routing.getMappers().get(ctx.getMethod());
                        if (methods == null) {
                            continue;
                        }
                        for (RequestMapper.RequestMatch<RuntimeResource> m = methods.map(remaining); m != null;
                                m = methods.continueMatching(remaining, m)) {
                            for (MediaType t : m.value.getConsumes()) {
                                types.add(t.getType() + "/" + t.getSubtype());
                            }
                        }
                    }
                }
            }
        } catch (RuntimeException e) {
            // the answer then names no types; the refusal itself stands
        }
        return types;
    }
}
