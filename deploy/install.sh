#!/usr/bin/env bash
# Installs vertlet on this machine as /usr/bin/vertlet (+ systemd unit), so units and scripts
# written for /usr/bin/kubelet work with vertlet. Builds the jar first if needed.
#   deploy/install.sh [--prefix /usr/local/lib/vertlet] [--no-systemd]
set -euo pipefail
VERTLET_HOME="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
prefix=/usr/local/lib/vertlet systemd=1
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) prefix="$2"; shift 2 ;;
    --no-systemd) systemd=0; shift ;;
    *) echo "install.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
"$VERTLET_HOME/vertlet" version >/dev/null   # finds a JDK and builds target/vertlet.jar when stale
. "$VERTLET_HOME/deploy/lib/jdk.sh"
vertlet_find_jdk
install -d "$prefix" "$prefix/conf"
install -m 0644 "$VERTLET_HOME/target/vertlet.jar" "$prefix/vertlet.jar"
cp -r "$VERTLET_HOME/conf/." "$prefix/conf/"
# The JDK 25+ AOT cache, trained against the installed jar (a cache names the jar it was made from).
# The wrapper maps it only while it is newer than the jar: re-run install.sh after replacing the jar.
rm -f "$prefix/vertlet.aot"
aot_flags=
if vertlet_aot_supported; then
  echo "install: training the JDK AOT cache (~20 s of CPU) ..." >&2
  vertlet_aot_train "$prefix/vertlet.jar" "$prefix/vertlet.aot" "$VERTLET_DEFAULT_JAVA_OPTS" \
    && aot_flags="-XX:AOTCache=$prefix/vertlet.aot -Xlog:disable -Xlog:all=warning:stderr"
fi
cat > /usr/bin/vertlet <<WRAPPER
#!/bin/sh
# Installed by vertlet's deploy/install.sh; VERTLET_JAVA_OPTS overrides the JVM flags (and the AOT cache).
aot=
[ -n "$aot_flags" ] && [ "$prefix/vertlet.aot" -nt "$prefix/vertlet.jar" ] && aot="$aot_flags"
exec "$JAVA" \${VERTLET_JAVA_OPTS:-$VERTLET_DEFAULT_JAVA_OPTS \$aot} -jar "$prefix/vertlet.jar" "\$@"
WRAPPER
chmod 0755 /usr/bin/vertlet
if [ "$systemd" = 1 ] && command -v systemctl >/dev/null; then
  install -m 0644 "$VERTLET_HOME/deploy/systemd/vertlet.service" /etc/systemd/system/vertlet.service
  systemctl daemon-reload || true
  echo "installed; start with: systemctl enable --now vertlet"
else
  echo "installed /usr/bin/vertlet"
fi
