package dev.sluice.router;

import java.util.Optional;

/** Changes the settings of a {@link RouterConfig} that tests and the dev stack set in code: ports, stores, TLS and the admin key. */
public final class RouterConfigBuilder {
    private final RouterConfig base;
    private RouterConfig.Listen listen;
    private Optional<RouterConfig.Tls> tls;
    private RouterConfig.Stores stores;
    private Optional<String> adminKey;

    RouterConfigBuilder(RouterConfig base) {
        this.base = base;
        listen = base.listen();
        tls = base.tls();
        stores = base.stores();
        adminKey = base.adminKey();
    }

    /** The interface and the ingest and management ports. */
    public RouterConfigBuilder ports(String host, int port, int managementPort) {
        listen = new RouterConfig.Listen(host, port, managementPort, listen.instances(), listen.h2c());
        return this;
    }

    public RouterConfigBuilder tls(String certPath, String keyPath) {
        tls = Optional.of(new RouterConfig.Tls(certPath, keyPath));
        return this;
    }

    public RouterConfigBuilder redis(String url) {
        stores = new RouterConfig.Stores(
                Optional.of(url),
                stores.redisTimeout(),
                stores.redisBatchWindow(),
                stores.pgUrl(),
                stores.accessRefresh());
        return this;
    }

    public RouterConfigBuilder postgres(String url) {
        stores = new RouterConfig.Stores(
                stores.redisUrl(),
                stores.redisTimeout(),
                stores.redisBatchWindow(),
                Optional.of(url),
                stores.accessRefresh());
        return this;
    }

    public RouterConfigBuilder adminKey(String key) {
        adminKey = Optional.of(key);
        return this;
    }

    public RouterConfig build() {
        return new RouterConfig(
                listen,
                base.timeouts(),
                base.limits(),
                tls,
                stores,
                base.http2(),
                base.mqtt(),
                adminKey,
                base.healthInterval(),
                base.catalogReload(),
                base.unsafeProducer());
    }
}
