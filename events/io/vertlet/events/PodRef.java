package io.vertlet.events;

/** Identifies a pod across facts: namespace/name for people, uid to tell incarnations apart. */
public record PodRef(String namespace, String name, String uid) {

  /** The {@code namespace/name} form used by CLI filters and logs. */
  public String key() {
    return namespace + "/" + name;
  }

  @Override
  public String toString() {
    return key() + " (" + uid + ")";
  }
}
