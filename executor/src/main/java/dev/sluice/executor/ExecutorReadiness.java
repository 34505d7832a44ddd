package dev.sluice.executor;

import dev.sluice.core.management.ManagementServer;
import dev.sluice.executor.impl.kafka.ConsumerLoop;
import dev.sluice.executor.impl.state.RunClaims;
import dev.sluice.executor.impl.state.RunLog;
import dev.sluice.executor.impl.state.WorkflowStore;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An executor's readiness: ready while the consumer polls, commits what is committable, and has a
 * connection to a broker, and the run log writes what waits, each within
 * {@code executor.ready.stall}, and the process is not closing. The details say how long each has
 * been silent, and what the claims and the run log are (each is shown whether it is on or off).
 */
record ExecutorReadiness(
        ExecutorConfig config,
        ConsumerLoop loop,
        RunLog runLog,
        RunClaims claims,
        Optional<WorkflowStore> store,
        AtomicBoolean closing) {

    ManagementServer.Readiness check() {
        long stall = config.readyStall().toMillis();
        ConsumerLoop.Health h = loop.health();
        boolean polling = loop.polling() && h.sincePollMillis() < stall;
        boolean committing = h.commitWaitMillis() < stall;
        boolean broker = h.brokerSilentMillis() < stall;
        boolean writing = runLog.writeAgeMillis() < stall;
        JsonObject details = new JsonObject()
                .put("consumer", polling ? "polling" : "not polling for " + h.sincePollMillis() + " ms")
                .put("commits", committing ? "current" : "none for " + h.commitWaitMillis() + " ms")
                .put("broker", broker ? "reachable" : "no connection for " + h.brokerSilentMillis() + " ms")
                .put("partitions", loop.workers().size())
                .put("claims", claims.describe())
                .put("runLog", runLog.status(stall));
        store.ifPresent(s -> details.put("workflowsRejected", new JsonArray(s.rejected())));
        return new ManagementServer.Readiness(polling && committing && broker && writing && !closing.get(), details);
    }
}
