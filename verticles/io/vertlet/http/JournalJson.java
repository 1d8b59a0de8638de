package io.vertlet.http;

import io.vertlet.events.Committed;
import io.vertlet.events.FactCodec;
import io.vertlet.events.PodRef;
import io.vertlet.journal.JournalPage;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The JSON shape of committed facts served over HTTP: {@code {"seq","at","type","pod","fact"}} per record,
 * the fact's payload exactly as the journal encodes it ({@link FactCodec#JSON}).
 */
final class JournalJson {

  private JournalJson() {}

  static ObjectNode record(Committed committed) {
    ObjectNode node = FactCodec.JSON.createObjectNode();
    node.put("seq", committed.seq());
    node.put("at", committed.at() == null ? null : committed.at().toString());
    node.put("type", committed.fact().type());
    PodRef pod = committed.fact().pod();
    if (pod == null) {
      node.putNull("pod");
    } else {
      node.put("pod", pod.key());
    }
    node.set("fact", FactCodec.JSON.valueToTree(committed.fact()));
    return node;
  }

  /** One record on one line, for newline-delimited streams and SSE data fields. */
  static String line(Committed committed) {
    return FactCodec.JSON.writeValueAsString(record(committed));
  }

  static String page(JournalPage page) {
    ObjectNode root = FactCodec.JSON.createObjectNode();
    ArrayNode records = root.putArray("records");
    page.records().forEach(c -> records.add(record(c)));
    root.put("next", page.nextSeq());
    return FactCodec.JSON.writeValueAsString(root);
  }
}
