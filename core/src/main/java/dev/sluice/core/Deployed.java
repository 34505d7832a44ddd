package dev.sluice.core;

import io.vertx.core.Deployable;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * A verticle deployed on {@code vertx} under {@code id}: what a role keeps of it to call it and,
 * on close, to undeploy it.
 */
public record Deployed<V extends Deployable>(Vertx vertx, String id, V verticle) {

    /** Deploys {@code verticle}; succeeds, holding it, once it has started. */
    public static <V extends Deployable> Future<Deployed<V>> deploy(Vertx vertx, V verticle) {
        return vertx.deployVerticle(verticle).map(id -> new Deployed<>(vertx, id, verticle));
    }

    /** Stops the verticle (its {@code stop}) and forgets the deployment. */
    public Future<Void> undeploy() {
        return vertx.undeploy(id);
    }
}
