package dev.sluice.testkit;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL: the server named by {@value #URL_ENV} when that is set, otherwise an
 * embedded PostgreSQL 17 (binaries from Maven) on a free loopback port with a temporary data
 * directory. The embedded server trusts local connections; user, password and database are all
 * {@code postgres}.
 */
public final class Postgres extends RestartableServer {

    /** {@code postgresql://user:password@host:port/database} of an existing server to use instead. */
    public static final String URL_ENV = "SLUICE_PG_URL";

    private static final Logger LOG = LoggerFactory.getLogger(Postgres.class);
    private static final String EMBEDDED_USER = "postgres";
    private static final int DEFAULT_PORT = 5432;
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Pattern DATABASE_NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    private final String host;
    private final int port;
    private final String database;
    private final String user;
    private final String password;
    /** The temp dir of an embedded server; null for a server named by the environment. */
    private final Path dir;

    private EmbeddedPostgres server;

    private Postgres(String host, int port, String database, String user, String password, Path dir) {
        this.host = host;
        this.port = port;
        this.database = database;
        this.user = user;
        this.password = password;
        this.dir = dir;
    }

    /** The server named by {@value #URL_ENV}, else a new embedded one. */
    public static Postgres startOrFromEnv() {
        return startOrFrom(System::getenv);
    }

    static Postgres startOrFrom(Function<String, String> env) {
        return fromEnvOr(env, URL_ENV, Postgres::fromUri, Postgres::startEmbedded);
    }

    /** An existing server; {@link #stop()} and {@link #restart()} are not supported on it. */
    public static Postgres fromUri(String uri) {
        URI parsed = UriParts.parse(uri, "postgresql", "postgres");
        String user = Objects.requireNonNullElse(UriParts.userInfo(parsed, 0), EMBEDDED_USER);
        String password = Objects.requireNonNullElse(UriParts.userInfo(parsed, 1), "");
        String path = parsed.getPath() == null ? "" : parsed.getPath().replaceFirst("^/", "");
        String database = path.isEmpty() ? user : path;
        int port = parsed.getPort() == -1 ? DEFAULT_PORT : parsed.getPort();
        return new Postgres(parsed.getHost(), port, database, user, password, null);
    }

    /** A new embedded PostgreSQL 17 on a free port; blocks until it accepts connections. */
    public static Postgres startEmbedded() {
        Path dir = TempDirs.create("postgres");
        Postgres postgres =
                new Postgres(Ports.LOOPBACK_HOST, Ports.freePort(), EMBEDDED_USER, EMBEDDED_USER, EMBEDDED_USER, dir);
        return launched(postgres);
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    public String database() {
        return database;
    }

    public String user() {
        return user;
    }

    public String password() {
        return password;
    }

    /** {@code postgresql://user:password@host:port/database}, as vertx-pg-client's {@code PgConnectOptions.fromUri} reads it. */
    public String uri() {
        return uri(database);
    }

    /** The same server and credentials, another database. */
    public String uri(String databaseName) {
        String credentials = UriParts.encode(user) + (password.isEmpty() ? "" : ":" + UriParts.encode(password));
        return "postgresql://" + credentials + "@" + host + ":" + port + "/" + UriParts.encode(databaseName);
    }

    /** {@code jdbc:postgresql://host:port/database} (user and password apart), for tools that want JDBC. */
    public String jdbcUrl() {
        return "jdbc:postgresql://" + host + ":" + port + "/" + UriParts.encode(database);
    }

    /**
     * Creates database {@code name} unless it exists and returns its {@link #uri(String)}: one
     * database per test class keeps schemas apart on the shared server. Names are lower-case
     * identifiers ({@code [a-z_][a-z0-9_]*}).
     */
    public String createDatabase(String name) {
        if (!DATABASE_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("database names are [a-z_][a-z0-9_]{0,62}, not " + name);
        }
        try (Connection connection = DriverManager.getConnection(jdbcUrl(), user, password)) {
            boolean exists;
            try (PreparedStatement query = connection.prepareStatement("select 1 from pg_database where datname = ?")) {
                query.setString(1, name);
                try (ResultSet rows = query.executeQuery()) {
                    exists = rows.next();
                }
            }
            if (!exists) {
                try (Statement create = connection.createStatement()) {
                    create.execute("create database \"" + name + "\"");
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database " + name + " on " + host + ":" + port, e);
        }
        return uri(name);
    }

    /** Whether this is an embedded server that this object started. */
    public boolean isEmbedded() {
        return dir != null;
    }

    /** Stops the embedded server (fast shutdown); its data and port stay for {@link #restart()}. */
    @Override
    public synchronized void stop() {
        require("stop");
        if (server == null) {
            return;
        }
        EmbeddedPostgres running = server;
        server = null;
        try {
            running.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot stop PostgreSQL on port " + port, e);
        }
    }

    /**
     * Freezes the embedded server (SIGSTOP to the postmaster and every backend): connections stay
     * open and nothing is answered, as in a stall or a failover that has not yet moved the address.
     */
    public synchronized void pause() {
        require("pause");
        processes().forEach(p -> Signals.send(p, "STOP"));
    }

    /** Lets a paused server go on (SIGCONT to the postmaster and every backend). */
    public synchronized void resume() {
        require("resume");
        processes().forEach(p -> Signals.send(p, "CONT"));
    }

    /** The postmaster (its pid is the first line of {@code postmaster.pid}) and its children. */
    private List<ProcessHandle> processes() {
        if (server == null) {
            throw new IllegalStateException("not running: " + this);
        }
        long pid;
        try {
            pid = Long.parseLong(Files.readAllLines(dir.resolve("data").resolve("postmaster.pid"))
                    .get(0)
                    .trim());
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("cannot read the postmaster's pid of " + this, e);
        }
        ProcessHandle postmaster =
                ProcessHandle.of(pid).orElseThrow(() -> new IllegalStateException("no postmaster " + pid));
        List<ProcessHandle> all = new ArrayList<>();
        all.add(postmaster);
        postmaster.descendants().forEach(all::add);
        return all;
    }

    @Override
    public synchronized boolean isRunning() {
        return dir == null || server != null;
    }

    /** Closing stops an embedded server and deletes its data; it does nothing to a server from the environment. */
    @Override
    void shutDown() {
        if (isEmbedded()) {
            stop();
        }
    }

    @Override
    void release() {
        TempDirs.delete(dir);
    }

    /** The temp dir of an embedded server (null otherwise), for tests in this package. */
    Path dir() {
        return dir;
    }

    @Override
    public String toString() {
        return "Postgres[" + UriParts.redact(uri()) + (isEmbedded() ? ", embedded" : "") + "]";
    }

    @Override
    void require(String operation) {
        if (dir == null) {
            throw new UnsupportedOperationException(
                    operation + " is only supported on the embedded PostgreSQL, not on " + URL_ENV);
        }
    }

    @Override
    synchronized void launch() {
        long startedAt = System.nanoTime();
        Path log = dir.resolve("postgres.log");
        try {
            server = EmbeddedPostgres.builder()
                    .setPort(port)
                    .setDataDirectory(dir.resolve("data"))
                    .setCleanDataDirectory(false)
                    .setRegisterShutdownHook(false)
                    .setOutputRedirector(Redirect.appendTo(log.toFile()))
                    .setErrorRedirector(Redirect.appendTo(log.toFile()))
                    .setServerConfig("listen_addresses", host)
                    // Test data need not survive a machine crash; it only has to survive stop/restart.
                    .setServerConfig("fsync", "off")
                    .setServerConfig("full_page_writes", "off")
                    .setPGStartupWait(START_TIMEOUT)
                    .start();
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException(
                    "embedded PostgreSQL did not start on port " + port + "; log:" + System.lineSeparator()
                            + TempDirs.tail(log, 40),
                    e);
        }
        LOG.info(
                "PostgreSQL ready on {}:{} in {} ms",
                host,
                port,
                Duration.ofNanos(System.nanoTime() - startedAt).toMillis());
    }
}
