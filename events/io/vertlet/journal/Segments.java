package io.vertlet.journal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;

/** Finding segment files, and the small file-system chores around them. */
public final class Segments {

  private Segments() {}

  /** The segments of a journal folder, oldest first (names sort by first sequence number). */
  public static List<Path> list(Path journalDir) throws IOException {
    if (!Files.isDirectory(journalDir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(journalDir)) {
      return files.filter(p -> JournalFormat.isSegmentName(p.getFileName().toString()))
          .filter(Files::isRegularFile)
          .sorted()
          .toList();
    }
  }

  /** Makes a rename or a new file in {@code dir} durable (the directory entry itself is fsynced). */
  public static void fsyncDirectory(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (NoSuchFileException gone) {
      throw gone;
    } catch (IOException unsupported) {
      // Some file systems refuse to open a directory for fsync; the data files are still forced.
    }
  }

  public static long sizeOf(Path file) {
    try {
      return Files.size(file);
    } catch (IOException gone) {
      return 0;
    }
  }
}
