package dev.sluice.testkit;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps ports of a stopped server bound but not listening: connections to them are refused, as
 * for any server that is down, and no other process can take them before the restart.
 */
final class PortHolds {

    private static final Logger LOG = LoggerFactory.getLogger(PortHolds.class);
    private final List<Socket> held = new ArrayList<>();

    /** Best effort: a port that cannot be bound (yet) is simply not held. */
    synchronized void hold(int... ports) {
        for (int port : ports) {
            Socket socket = new Socket();
            try {
                socket.setReuseAddress(true);
                socket.bind(new InetSocketAddress(Ports.loopback(), port));
                held.add(socket);
            } catch (IOException e) {
                LOG.debug("cannot hold port {}", port, e);
                close(socket);
            }
        }
    }

    synchronized void release() {
        held.forEach(PortHolds::close);
        held.clear();
    }

    private static void close(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            LOG.debug("closing a port hold failed", e);
        }
    }
}
