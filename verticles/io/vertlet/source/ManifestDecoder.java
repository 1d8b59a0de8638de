package io.vertlet.source;

import io.fabric8.kubernetes.api.model.Pod;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Tag;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DatabindException;

/**
 * Turns manifest bytes (YAML or JSON, one or more documents, each a Pod or a PodList) into raw
 * documents and fabric8 Pods. YAML is read by SnakeYAML with hard limits (aliases, size, nesting,
 * duplicate keys) before anything reaches Jackson, so a billion-laughs file or a deeply nested one
 * fails fast in bounded memory.
 */
final class ManifestDecoder {

  /** One pod out of a manifest: the document it came from, as written, and as a fabric8 Pod. */
  record DecodedPod(String where, Map<String, Object> raw, Pod pod) {}

  private static final int MAX_ALIASES = 50;
  private static final int MAX_NESTING = 50;

  private final int maxCodePoints;

  ManifestDecoder(int maxBytes) {
    this.maxCodePoints = maxBytes;
  }

  List<DecodedPod> decode(byte[] bytes) throws ManifestException {
    String text = utf8(bytes);
    if (text.isBlank()) {
      throw new ManifestException("the manifest is empty");
    }
    List<Object> documents = loadAll(text);
    List<DecodedPod> pods = new ArrayList<>();
    int index = 0;
    int nonEmpty = 0;
    for (Object document : documents) {
      index++;
      if (document == null) {
        continue; // an empty document, e.g. after a trailing "---"
      }
      nonEmpty++;
      String where = documents.size() > 1 ? "document " + index + ": " : "";
      Map<String, Object> object = asObject(document, where);
      String kind = string(object.get("kind"));
      checkApiVersion(object, where, kind);
      switch (kind) {
        case "Pod" -> pods.add(new DecodedPod(where, object, toPod(object, where)));
        case "PodList" -> {
          Object items = object.get("items");
          if (items == null) {
            continue;
          }
          if (!(items instanceof List<?> list)) {
            throw new ManifestException(where + "items: must be a list of Pods, found " + describe(items));
          }
          int i = 0;
          for (Object item : list) {
            String itemWhere = where + "items[" + i++ + "]: ";
            Map<String, Object> itemObject = asObject(item, itemWhere);
            Object itemKind = itemObject.get("kind");
            if (itemKind != null && !"Pod".equals(itemKind)) {
              throw new ManifestException(itemWhere + "kind: Unsupported value: \"" + itemKind + "\": a PodList holds Pods");
            }
            pods.add(new DecodedPod(itemWhere, itemObject, toPod(itemObject, itemWhere)));
          }
        }
        case "" -> throw new ManifestException(where + "kind: Required value: a static pod manifest must be a Pod");
        default -> throw new ManifestException(where + "kind: Unsupported value: \"" + kind
            + "\": a static pod manifest must be a Pod (or a PodList)");
      }
    }
    if (nonEmpty == 0) {
      throw new ManifestException("the manifest is empty: it holds no document");
    }
    return pods;
  }

  private static void checkApiVersion(Map<String, Object> object, String where, String kind) throws ManifestException {
    String apiVersion = string(object.get("apiVersion"));
    if (apiVersion.isEmpty()) {
      throw new ManifestException(where + "apiVersion: Required value: a " + (kind.isEmpty() ? "Pod" : kind)
          + " is apiVersion \"v1\"");
    }
    if (!apiVersion.equals("v1") && (kind.equals("Pod") || kind.equals("PodList"))) {
      throw new ManifestException(where + "apiVersion: Unsupported value: \"" + apiVersion + "\": a " + kind
          + " is apiVersion \"v1\"");
    }
  }

  private String utf8(byte[] bytes) throws ManifestException {
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw new ManifestException("not UTF-8 text (YAML or JSON expected)");
    }
  }

  private List<Object> loadAll(String text) throws ManifestException {
    LoaderOptions options = new LoaderOptions();
    options.setMaxAliasesForCollections(MAX_ALIASES);
    options.setNestingDepthLimit(MAX_NESTING);
    options.setCodePointLimit(maxCodePoints);
    options.setAllowDuplicateKeys(false);
    options.setAllowRecursiveKeys(false);
    Yaml yaml = new Yaml(new PlainConstructor(options));
    List<Object> documents = new ArrayList<>();
    try {
      for (Object document : yaml.loadAll(text)) {
        documents.add(document);
      }
    } catch (MarkedYAMLException e) {
      throw new ManifestException("not valid YAML" + at(e.getProblemMark()) + ": " + firstLine(e.getProblem()));
    } catch (YAMLException e) {
      throw new ManifestException("not valid YAML: " + firstLine(e.getMessage()));
    } catch (StackOverflowError e) {
      throw new ManifestException("not valid YAML: nested too deeply");
    }
    return documents;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> asObject(Object document, String where) throws ManifestException {
    if (document instanceof Map<?, ?> map) {
      for (Object key : map.keySet()) {
        if (!(key instanceof String)) {
          throw new ManifestException(where + "a key is " + describe(key) + ", keys must be strings");
        }
      }
      return (Map<String, Object>) map;
    }
    throw new ManifestException(where + "expected a Kubernetes object (a mapping with apiVersion and kind), found "
        + describe(document));
  }

  private static Pod toPod(Map<String, Object> object, String where) throws ManifestException {
    try {
      return Canonical.MAPPER.convertValue(object, Pod.class);
    } catch (DatabindException e) {
      throw new ManifestException(where + fieldPath(e) + ": " + cleanJacksonMessage(e.getOriginalMessage()));
    } catch (JacksonException | IllegalArgumentException e) {
      throw new ManifestException(where + "not a valid Pod: " + cleanJacksonMessage(e.getMessage()));
    }
  }

  /** spec.containers[0].ports[0].containerPort from Jackson's reference chain. */
  private static String fieldPath(DatabindException e) {
    StringBuilder path = new StringBuilder();
    for (var ref : e.getPath()) {
      if (ref.getPropertyName() != null) {
        if (!path.isEmpty()) {
          path.append('.');
        }
        path.append(ref.getPropertyName());
      } else if (ref.getIndex() >= 0) {
        path.append('[').append(ref.getIndex()).append(']');
      }
    }
    return path.isEmpty() ? "(top level)" : path.toString();
  }

  private static final Pattern QUALIFIED = Pattern.compile("\\b(?:[a-z_][a-z0-9_]*\\.)+([A-Z][A-Za-z0-9_$]*)");

  /** Jackson's message without package names, location noise or the reference chain. */
  static String cleanJacksonMessage(String message) {
    if (message == null) {
      return "unreadable value";
    }
    String line = firstLine(message);
    Matcher m = QUALIFIED.matcher(line);
    return m.replaceAll("$1").replace("`", "").replaceAll(" \\(token [^)]*\\)", "");
  }

  private static String at(Mark mark) {
    return mark == null ? "" : " at line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1);
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    String line = (nl < 0 ? s : s.substring(0, nl)).trim();
    return line.length() > 300 ? line.substring(0, 300) + "…" : line;
  }

  private static String string(Object value) {
    return value == null ? "" : value.toString();
  }

  static String describe(Object value) {
    return switch (value) {
      case null -> "nothing";
      case String s -> "the string \"" + (s.length() > 40 ? s.substring(0, 40) + "…" : s) + "\"";
      case List<?> l -> "a list";
      case Map<?, ?> m -> "a mapping";
      case Number n -> "the number " + n;
      case Boolean b -> "the boolean " + b;
      default -> "a " + value.getClass().getSimpleName();
    };
  }

  /**
   * Safe construction with one change: timestamps stay strings, as they do when Kubernetes turns
   * YAML into JSON, so a date-like label value is not silently turned into a Date.
   */
  private static final class PlainConstructor extends SafeConstructor {
    PlainConstructor(LoaderOptions options) {
      super(options);
      this.yamlConstructors.put(Tag.TIMESTAMP, new ConstructYamlStr());
    }
  }
}
