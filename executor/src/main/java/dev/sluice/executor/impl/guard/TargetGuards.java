package dev.sluice.executor.impl.guard;

import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The guard of each target (host:port) a process calls, made on first use and shared by its event loops. */
public final class TargetGuards {

    private final TargetLimits limits;
    private final MeterRegistry registry;
    private final Map<String, TargetGuard> guards = new ConcurrentHashMap<>();

    public TargetGuards(TargetLimits limits, MeterRegistry registry) {
        this.limits = limits;
        this.registry = registry;
    }

    /** The guard of the target of {@code url} (an absolute http or https URL; the port defaults by scheme). */
    public TargetGuard of(String url) {
        return guards.computeIfAbsent(target(url), t -> new TargetGuard(t, limits, System::nanoTime, registry));
    }

    static String target(String url) {
        URI u = URI.create(url);
        int port = u.getPort() >= 0 ? u.getPort() : "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
        return u.getHost() + ":" + port;
    }
}
