package io.vertlet.source;

/** A manifest that cannot become pods; the message is the reason journaled in ManifestRejected. */
final class ManifestException extends Exception {

  ManifestException(String reason) {
    super(reason, null, false, false);
  }
}
