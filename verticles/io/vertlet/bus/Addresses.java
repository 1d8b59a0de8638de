package io.vertlet.bus;

/**
 * Every event-bus address in one place. Requests are point-to-point with a reply; "published"
 * addresses are broadcast to all subscribers. Messages are records carried by {@link LocalCodec}.
 */
public final class Addresses {

  private Addresses() {}

  /** Request: a {@code Fact}; reply: its {@code Committed} once durable under the fsync policy. */
  public static final String JOURNAL_APPEND = "vertlet.journal.append";

  /** Published: each {@code Committed} fact, in sequence order, after it is durable. */
  public static final String JOURNAL_COMMITTED = "vertlet.journal.committed";

  /** Request: a {@code JournalSnapshotRequest}; reply: the snapshot's sequence number. */
  public static final String JOURNAL_SNAPSHOT = "vertlet.journal.snapshot";

  /** Request: anything; reply: a {@code JournalHealth} (writer progress, for healthz). */
  public static final String JOURNAL_HEALTH = "vertlet.journal.health";

  /**
   * Request: a {@code JournalReadRequest(sinceSeq, limit)}; reply: a {@code JournalPage} of durable
   * facts with {@code seq >= sinceSeq} and the {@code nextSeq} to ask for next.
   */
  public static final String JOURNAL_READ = "vertlet.journal.read";

  /** Request: anything; reply: the current {@code NodeState} projection (immutable). */
  public static final String PROJECTION_NODE = "vertlet.projection.node";

  /** Published: the effective {@code KubeletConfig} each time one is applied. */
  public static final String CONFIG_EFFECTIVE = "vertlet.config.effective";

  /** Request: anything; reply: the effective {@code KubeletConfig} now. */
  public static final String CONFIG_CURRENT = "vertlet.config.current";

  /** Request: anything; reply: a {@code PlegHealth} (time of the last completed relist). */
  public static final String PLEG_HEALTH = "vertlet.pleg.health";
}
