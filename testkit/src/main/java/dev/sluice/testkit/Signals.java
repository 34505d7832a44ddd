package dev.sluice.testkit;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** POSIX signals to a child process, for fault tests: {@code STOP} freezes it, {@code CONT} lets it go on. */
public final class Signals {

    private Signals() {}

    /** Sends {@code SIG<name>} to the process and waits for {@code kill} to report it sent. */
    public static void send(ProcessHandle target, String name) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(target.pid()))
                    .redirectErrorStream(true)
                    .start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill -" + name + " " + target.pid() + " failed");
            }
        } catch (IOException e) {
            throw new IllegalStateException("kill -" + name + " " + target.pid() + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /**
     * Waits up to {@code timeout} for a child asked to stop; if it has not exited by then, runs
     * {@code beforeKill} and kills it (SIGKILL), waiting as long again. Interrupted: kills it at
     * once and keeps the interrupt.
     */
    static void awaitExitOrKill(Process child, Duration timeout, Runnable beforeKill) {
        try {
            if (!child.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                beforeKill.run();
                child.destroyForcibly();
                child.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            child.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
