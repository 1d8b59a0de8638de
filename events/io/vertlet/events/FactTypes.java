package io.vertlet.events;

import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Every concrete fact type, found by walking the sealed hierarchy, so there is no list to keep in
 * step by hand: a record added to an area's sealed interface is known here at once.
 */
public final class FactTypes {

  private static final Map<String, Class<? extends Fact>> BY_NAME = discover();

  private FactTypes() {}

  /** All fact types by their journal name, in declaration order. */
  public static Map<String, Class<? extends Fact>> all() {
    return BY_NAME;
  }

  /** The class for a journal type name, or null when this build does not know it. */
  public static Class<? extends Fact> byName(String name) {
    return BY_NAME.get(name);
  }

  /** The payload schema version a type is written with. */
  public static int version(Class<? extends Fact> type) {
    Schema schema = type.getAnnotation(Schema.class);
    return schema == null ? 1 : schema.version();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Class<? extends Fact>> discover() {
    Map<String, Class<? extends Fact>> found = new LinkedHashMap<>();
    Deque<Class<?>> pending = new ArrayDeque<>();
    pending.add(Fact.class);
    while (!pending.isEmpty()) {
      Class<?> next = pending.poll();
      if (next.isRecord()) {
        Class<? extends Fact> previous = found.put(next.getSimpleName(), (Class<? extends Fact>) next);
        if (previous != null) {
          throw new IllegalStateException("two facts share the journal type name " + next.getSimpleName()
              + ": " + previous.getName() + " and " + next.getName());
        }
      } else {
        Collections.addAll(pending, next.getPermittedSubclasses());
      }
    }
    return Collections.unmodifiableMap(found);
  }
}
