# Sourced by ./vertlet and the test runner: sets JAVA to a JDK >= 21, or says in one line there is none.
# Order: $JAVA_HOME, then every JDK under /usr/lib/jvm (newest first), then java on the PATH.
# Footprint-minded JVM defaults (docs/performance.md says what each buys); VERTLET_JAVA_OPTS overrides.
VERTLET_DEFAULT_JAVA_OPTS="-XX:+UseSerialGC -Xmx64m -Xmn8m -XX:TieredStopAtLevel=1 -Xss512k -XX:ReservedCodeCacheSize=32m -XX:-UsePerfData -XX:TrimNativeHeapInterval=5000 -XX:SweeperThreshold=50"
vertlet_java_major() { # prints the feature version of the given java binary
  # Every JDK says its version in <home>/release: reading it costs nothing, while asking the JVM
  # (the fallback, for a JDK without that file) is a JVM start, ~60 ms each time the launcher asks.
  local release major
  release="$(dirname "$(dirname "$1")")/release"
  major=$(sed -n 's/^JAVA_VERSION="\(1\.\)\{0,1\}\([0-9]*\).*/\2/p' "$release" 2>/dev/null | head -n1)
  if [ -n "$major" ]; then echo "$major"; return; fi
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p' | head -n1
}
vertlet_find_jdk() {
  local candidate major
  for candidate in ${JAVA_HOME:+"$JAVA_HOME"} $(ls -d /usr/lib/jvm/*/ 2>/dev/null | sort -rV) \
                   "$(dirname "$(dirname "$(readlink -f "$(command -v java 2>/dev/null || echo /nonexistent)")")")"; do
    candidate=${candidate%/}
    [ -x "$candidate/bin/java" ] && [ -x "$candidate/bin/javac" ] || continue
    major=$(vertlet_java_major "$candidate/bin/java")
    if [ -n "$major" ] && [ "$major" -ge 21 ] 2>/dev/null; then
      export JAVA_HOME="$candidate"
      JAVA="$candidate/bin/java"
      vertlet_quiet_maven
      return 0
    fi
  done
  echo "vertlet: needs a JDK 21 or newer; none found in \$JAVA_HOME, /usr/lib/jvm or on the PATH (install e.g. openjdk-21-jdk or temurin-21-jdk)" >&2
  return 1
}


# Maven 3.8's bundled Guava warns about sun.misc.Unsafe on JDK 24+; the flag that allows it quietly
# exists only there, so add it only there.
# The same holds for protobuf-java inside vertlet itself, so the agent's defaults get the flag too.
vertlet_quiet_maven() {
  if [ "$(vertlet_java_major "$JAVA")" -ge 24 ] 2>/dev/null; then
    case " ${MAVEN_OPTS:-} " in *sun-misc-unsafe*) ;; *) export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow" ;; esac
    VERTLET_DEFAULT_JAVA_OPTS="$VERTLET_DEFAULT_JAVA_OPTS --sun-misc-unsafe-memory-access=allow"
  fi
}

# (docs/performance.md, "JVM settings and what each bought"). The JVM only maps a cache made from
# the same jar with a compatible GC and heap layout, so a cache is trained by `vertlet aot-train` (an
# agent in a temporary dir running one pod) under the agent's own flags. The JVM refuses a cache
# whose jar changed and starts without it; -Xlog:disable -Xlog:all=warning:stderr keeps that warning
# (and any other JVM warning) off stdout, where commands print their results.
#
# vertlet_aot_fresh JAR CACHE: true when CACHE exists and is newer than JAR and the JDK.
vertlet_aot_fresh() {
  [ -s "$2" ] && [ "$2" -nt "$1" ] && [ "$2" -nt "$JAVA_HOME/lib/modules" ]
}
# vertlet_aot_supported: JDK >= 25 and not turned off with VERTLET_AOT=0.
vertlet_aot_supported() {
  local major
  [ "${VERTLET_AOT:-1}" != 0 ] || return 1
  major=$(vertlet_java_major "$JAVA")
  [ -n "$major" ] && [ "$major" -ge 25 ] 2>/dev/null
}
# vertlet_aot_train JAR CACHE FLAGS [RUNNER]: trains CACHE now (~20 s of CPU), under a temporary name
# renamed into place; on failure leaves no cache and says where the log is. One training at a time
# (flock). RUNNER prefixes the JVM command (e.g. "nice -n 19").
vertlet_aot_train() {
  local jar="$1" cache="$2" flags="$3" runner="${4:-}" tmp="$2.$$.tmp"
  (
    flock -n 9 || exit 0 # another launcher is training this cache already
    vertlet_aot_fresh "$jar" "$cache" && exit 0
    if $runner "$JAVA" $flags -XX:AOTCacheOutput="$tmp" -jar "$jar" aot-train >"$cache.log" 2>&1 && [ -s "$tmp" ]; then
      mv -f "$tmp" "$cache"
    else
      rm -f "$tmp" "$tmp.config"
      echo "vertlet: AOT cache training failed (see $cache.log); the agent starts without it" >&2
      exit 1
    fi
  ) 9>"$cache.lock"
}
# vertlet_aot_opts JAR CACHE FLAGS: prints the flags that map CACHE when it is fresh. When it is
# missing or stale, prints nothing (this start goes without; nobody waits for a training) and trains
# it in the background at low priority for the next start.
vertlet_aot_opts() {
  local jar="$1" cache="$2" flags="$3"
  vertlet_aot_supported || return 0
  if vertlet_aot_fresh "$jar" "$cache"; then
    echo "-XX:AOTCache=$cache -Xlog:disable -Xlog:all=warning:stderr"
  else
    echo "vertlet: training the JDK AOT cache for the next start in the background (log: $cache.log)" >&2
    (trap '' INT HUP; vertlet_aot_train "$jar" "$cache" "$flags" "nice -n 19") </dev/null >/dev/null 2>&1 &
  fi
}
