package dev.sluice.testkit;

/**
 * How every server the testkit runs ends: it is closed once; closing stops what runs, then
 * releases what the server holds (temp dirs, reserved ports) even when stopping failed, and drops
 * it from the JVM-exit cleanup. A closed server refuses further work ({@link #checkOpen()}).
 */
public abstract class TestServer implements AutoCloseable {

    private boolean closed;

    TestServer() {}

    /** Stops what runs, as {@link #close()} does it. */
    abstract void shutDown();

    /** Releases what this server holds once it is down: temp dirs, reserved ports. */
    abstract void release();

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            shutDown();
        } finally {
            release();
            Cleanup.unregister(this);
        }
    }

    synchronized boolean isClosed() {
        return closed;
    }

    synchronized void checkOpen() {
        if (closed) {
            throw new IllegalStateException("closed: " + this);
        }
    }
}
