#!/bin/bash
# vertlet embedded runtime: the supervisor of ONE container. It outlives the runtime that started it,
# so a container's logs keep flowing and its exit status is recorded even while no runtime runs.
#
#   supervisor.sh STATE_DIR LOG_PATH SETSID [CGROUP_PROCS_FILE...] -- COMMAND [ARG...]
#
# - COMMAND runs through setsid: it leads its own session and process group (PGID = its PID), which
#   is what StopContainer signals. The supervisor stays outside that group.
# - COMMAND's process first joins each CGROUP_PROCS_FILE (its container's cgroups), then execs.
# - Its stdout/stderr pass through two FIFOs to loggers writing CRI log lines
#   "<RFC3339Nano UTC> stdout|stderr F <line>" to LOG_PATH (reopened per line, so rotation needs
#   no signal). An empty LOG_PATH discards output.
# - STATE_DIR/pid  = "<pid> <epoch seconds.micros>" once COMMAND is started.
# - When COMMAND ends, what is left of its process group is killed (as when a PID namespace's init
#   exits), the loggers drain, then STATE_DIR/exit = "<exit status> <epoch seconds.micros>"
#   (128+N when killed by signal N) is written atomically (tmp + rename).
# The environment and working directory are the container's; the supervisor exports nothing.
dir=$1 log=$2 setsid_bin=$3
shift 3
cgroups=()
while [[ $1 != -- ]]; do
  cgroups+=("$1")
  shift
done
shift
unset SHLVL OLDPWD
if ((${#cgroups[@]})); then
  # Join the cgroups from inside the new process group leader, before it execs the command.
  set -- /bin/bash -c 'while [[ $1 != -- ]]; do echo $$ >"$1" || exit 126; shift; done; shift; unset SHLVL; exec "$@"' \
    vertlet-cgroup-join "${cgroups[@]}" -- "$@"
fi

cri_logger() {
  local stream=$1 line now ts
  export TZ=UTC0
  while IFS= read -r line || [[ -n $line ]]; do
    now=$EPOCHREALTIME
    printf -v ts '%(%Y-%m-%dT%H:%M:%S)T' "${now%.*}"
    printf '%s.%s000Z %s F %s\n' "$ts" "${now#*.}" "$stream" "$line" >>"$log"
  done
}

if [[ -n $log ]]; then
  rm -f "$dir/out.fifo" "$dir/err.fifo"
  mkfifo "$dir/out.fifo" "$dir/err.fifo"
  cri_logger stdout <"$dir/out.fifo" &
  l1=$!
  cri_logger stderr <"$dir/err.fifo" &
  l2=$!
  "$setsid_bin" "$@" <"/dev/null" >"$dir/out.fifo" 2>"$dir/err.fifo" &
  pid=$!
else
  "$setsid_bin" "$@" </dev/null >/dev/null 2>&1 &
  pid=$!
fi
printf '%s %s\n' "$pid" "$EPOCHREALTIME" >"$dir/pid.tmp" && mv -f "$dir/pid.tmp" "$dir/pid"

wait "$pid"
code=$?
now=$EPOCHREALTIME
kill -KILL -- "-$pid" 2>/dev/null
if [[ -n $log ]]; then
  # A descendant that left the group may hold a FIFO open: give the loggers 2 s, not forever.
  (sleep 2; kill "$l1" "$l2" 2>/dev/null) &
  watchdog=$!
  wait "$l1" "$l2"
  kill "$watchdog" 2>/dev/null
  rm -f "$dir/out.fifo" "$dir/err.fifo"
fi
printf '%s %s\n' "$code" "$now" >"$dir/exit.tmp" && mv -f "$dir/exit.tmp" "$dir/exit"
