package io.vertlet.runtime;

/**
 * What the embedded runtime keeps about one container; persisted as
 * {@code containers/<id>/container.json} next to the supervisor's {@code pid} and {@code exit} files.
 *
 * @param state {@code CREATED}, {@code RUNNING} or {@code EXITED}
 * @param config the {@code ContainerConfig} as given, protobuf bytes (base64 in the JSON)
 * @param logPath absolute log file, empty when the client asked for none
 * @param supervisorPid the supervisor process, with its {@code /proc} start time (PID-reuse guard)
 * @param pid the container's main process, leader of its process group, with its start time
 * @param resources the current {@code LinuxContainerResources}, protobuf bytes (may be empty)
 */
record ContainerRecord(String id, String sandboxId, long createdAt, String state, String imageRef, String logPath,
    byte[] config, long supervisorPid, long supervisorStart, long pid, long pidStart, long startedAt,
    long finishedAt, int exitCode, String reason, String message, byte[] resources) {

  static final String CREATED = "CREATED";
  static final String RUNNING = "RUNNING";
  static final String EXITED = "EXITED";

  ContainerRecord started(long supervisorPid, long supervisorStart, long pid, long pidStart, long startedAt) {
    return new ContainerRecord(id, sandboxId, createdAt, RUNNING, imageRef, logPath, config, supervisorPid,
        supervisorStart, pid, pidStart, startedAt, 0, 0, "", "", resources);
  }

  ContainerRecord exited(long finishedAt, int exitCode, String reason, String message) {
    return new ContainerRecord(id, sandboxId, createdAt, EXITED, imageRef, logPath, config, supervisorPid,
        supervisorStart, pid, pidStart, startedAt, finishedAt, exitCode, reason, message, resources);
  }

  ContainerRecord withResources(byte[] newResources) {
    return new ContainerRecord(id, sandboxId, createdAt, state, imageRef, logPath, config, supervisorPid,
        supervisorStart, pid, pidStart, startedAt, finishedAt, exitCode, reason, message, newResources);
  }
}
