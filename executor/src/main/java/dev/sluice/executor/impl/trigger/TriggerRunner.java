package dev.sluice.executor.impl.trigger;

import io.vertx.core.Future;

/** One trigger run by this process while it holds the trigger's lease. */
interface TriggerRunner {

    /** The trigger's name, its row in {@code sluice_triggers}: {@code schedule/<workflow>} or {@code poll/<workflow>}. */
    String name();

    /** Whether this process held the lease at its last try. */
    boolean leading();

    Future<Void> start();

    /** Stops waking and gives the lease up if held, so a stand-by takes over at its next try. */
    Future<Void> close();

    /** Stops waking and leaves a held lease to lapse, as a process that died would. */
    void halt();
}
