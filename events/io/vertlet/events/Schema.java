package io.vertlet.events;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The schema version of a fact's payload. Bump it when a field changes meaning or is removed, and
 * register an upcaster in {@link FactCodec} so journals written by older versions still replay.
 * Facts without the annotation are version 1.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface Schema {
  int version();
}
