package dev.sluice.router;

import dev.sluice.core.Catalog;
import dev.sluice.core.RouteConfig;
import dev.sluice.router.impl.http.IngestState;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reloads the catalog's routes from a file whenever it changes. A file that does not parse is
 * logged and ignored: the routes in force stay. New topics are checked before their routes take
 * traffic.
 */
final class CatalogWatch {

    private static final Logger LOG = LoggerFactory.getLogger(CatalogWatch.class);

    private CatalogWatch() {}

    /** Checks {@code file} every {@code every} (off busy threads) and returns the timer's id. */
    static long start(Vertx vertx, IngestState state, Path file, Duration every) {
        long[] lastModified = {modified(file)};
        return vertx.setPeriodic(
                every.toMillis(),
                id -> vertx.executeBlocking(
                        () -> {
                            long m = modified(file);
                            if (m == lastModified[0]) {
                                return null;
                            }
                            lastModified[0] = m;
                            try {
                                Catalog next = Catalog.load(file);
                                state.topics()
                                        .track(next.routes().values().stream()
                                                .map(RouteConfig::topic)
                                                .distinct()
                                                .toList());
                                state.topics().refresh(2000);
                                next.routes().keySet().forEach(state.metrics()::route);
                                state.routes().replace(next.routes());
                                LOG.info(
                                        "catalog reloaded from {}: {} routes",
                                        file,
                                        next.routes().size());
                            } catch (RuntimeException e) {
                                LOG.error(
                                        "catalog {} not reloaded, the routes in force stay: {}", file, e.getMessage());
                            }
                            return null;
                        },
                        false));
    }

    private static long modified(Path file) {
        try {
            return Files.getLastModifiedTime(file).toMillis() ^ Files.size(file);
        } catch (IOException e) {
            return -1;
        }
    }
}
