package dev.sluice.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Free TCP ports on the IPv4 loopback interface. */
public final class Ports {

    /** The host every testkit server binds to and every URL names. */
    public static final String LOOPBACK_HOST = "127.0.0.1";

    private static final int ATTEMPTS = 100;
    /** Ports already handed out by this JVM: the kernel may offer a port again once it is released. */
    private static final Set<Integer> ISSUED = ConcurrentHashMap.newKeySet();

    private Ports() {}

    /**
     * A port that was free on 127.0.0.1 a moment ago and that this JVM has not handed out before.
     * Another process may still take it before the caller binds; that is rare and shows up as a
     * bind failure, not as a silent mix-up.
     */
    public static int freePort() {
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            try (ServerSocket socket = new ServerSocket()) {
                socket.setReuseAddress(false);
                socket.bind(new InetSocketAddress(loopback(), 0));
                int port = socket.getLocalPort();
                if (ISSUED.add(port)) {
                    return port;
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot find a free port on " + LOOPBACK_HOST, e);
            }
        }
        throw new IllegalStateException("no free port on " + LOOPBACK_HOST + " after " + ATTEMPTS + " attempts");
    }

    static InetAddress loopback() {
        try {
            return InetAddress.getByAddress(LOOPBACK_HOST, new byte[] {127, 0, 0, 1});
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
