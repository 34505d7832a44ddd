package dev.sluice.testkit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Real infrastructure for a JUnit 5 test class. Constructors, lifecycle methods and test methods
 * may declare parameters of these types:
 * <ul>
 *   <li>{@link KafkaBroker}, {@link Postgres}, {@link Redis}: the JVM-wide shared ones from {@link Infra},
 *       each started on first use;</li>
 *   <li>{@link WebhookTarget}: one per test class, reset before each test and closed after the class.</li>
 * </ul>
 * Only these types are resolved, so the annotation sits next to {@code @ExtendWith(VertxExtension.class)}.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@ExtendWith(SluiceInfraExtension.class)
public @interface SluiceInfra {}
