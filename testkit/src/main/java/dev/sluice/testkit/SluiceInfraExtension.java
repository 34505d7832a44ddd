package dev.sluice.testkit;

import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/** The extension behind {@link SluiceInfra}; see there for what it injects. */
public final class SluiceInfraExtension implements ParameterResolver, BeforeEachCallback {

    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(SluiceInfraExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == KafkaBroker.class
                || type == KafkaCluster.class
                || type == Postgres.class
                || type == Redis.class
                || type == WebhookTarget.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        if (type == KafkaBroker.class) {
            return Infra.kafka();
        }
        if (type == KafkaCluster.class) {
            return Infra.kafkaCluster();
        }
        if (type == Postgres.class) {
            return Infra.postgres();
        }
        if (type == Redis.class) {
            return Infra.redis();
        }
        return webhookTarget(context);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        WebhookTarget target = classStore(context).get(WebhookTarget.class, WebhookTarget.class);
        if (target != null) {
            target.reset();
        }
    }

    /** The test class's webhook target; JUnit closes it (it is AutoCloseable) when the class is done. */
    private static WebhookTarget webhookTarget(ExtensionContext context) {
        return classStore(context)
                .getOrComputeIfAbsent(WebhookTarget.class, key -> WebhookTarget.start(), WebhookTarget.class);
    }

    private static ExtensionContext.Store classStore(ExtensionContext context) {
        ExtensionContext classContext = context;
        while (classContext.getTestMethod().isPresent()
                && classContext.getParent().isPresent()) {
            classContext = classContext.getParent().get();
        }
        return classContext.getStore(NAMESPACE);
    }
}
