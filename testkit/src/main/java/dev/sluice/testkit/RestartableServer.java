package dev.sluice.testkit;

/**
 * A server in one child process that outage tests stop and restart on the same ports and data
 * (PostgreSQL, Redis, a single Kafka broker). One named by the environment instead is only
 * connected to: {@link #require} refuses stopping and restarting it.
 */
public abstract class RestartableServer extends TestServer {

    RestartableServer() {}

    /** Starts the server and blocks until it answers. */
    abstract void launch();

    /** Stops the server; its ports and data stay for {@link #restart()}. */
    public abstract void stop();

    public abstract boolean isRunning();

    /** Throws when {@code operation} is not possible on this server; by default every one is. */
    void require(String operation) {}

    /** By default close stops the server as {@link #stop()} does. */
    @Override
    void shutDown() {
        stop();
    }

    /** Starts the server again on the same ports and data; stops it first if it runs. */
    public synchronized void restart() {
        require("restart");
        checkOpen();
        stop();
        launch();
    }

    /** The server the variable {@code urlEnv} of {@code env} names when it is set, else a new one from {@code start}. */
    static <S extends RestartableServer> S fromEnvOr(
            java.util.function.Function<String, String> env,
            String urlEnv,
            java.util.function.Function<String, S> fromUri,
            java.util.function.Supplier<S> start) {
        String url = env.apply(urlEnv);
        return url == null || url.isBlank() ? start.get() : fromUri.apply(url.trim());
    }

    /** Registers {@code server} for the JVM-exit cleanup and launches it; closes it when it does not start. */
    static <S extends RestartableServer> S launched(S server) {
        Cleanup.register(server);
        try {
            server.launch();
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
        return server;
    }

    /**
     * {@code server} running: a new one from {@code start} when there is none or it was closed, else
     * the same one, restarted if a test left it stopped.
     */
    static <S extends RestartableServer> S running(S server, java.util.function.Supplier<S> start) {
        if (server == null || server.isClosed()) {
            return start.get();
        }
        if (!server.isRunning()) {
            server.restart();
        }
        return server;
    }
}
