package dev.sluice.cli.chaos;

/** Waiting on the chaos command's own thread (never an event loop): for schedules and polls. */
final class Pause {

    private Pause() {}

    static void millis(long millis) {
        if (millis <= 0) {
            return;
        }
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
