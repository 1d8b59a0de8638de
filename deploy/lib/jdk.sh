# Sourced by ./vertlet and the test runner: sets JAVA to a JDK >= 21, or says in one line there is none.
# Order: $JAVA_HOME, then every JDK under /usr/lib/jvm (newest first), then java on the PATH.
# Footprint-minded JVM defaults (docs/performance.md says what each buys); VERTLET_JAVA_OPTS overrides.
VERTLET_DEFAULT_JAVA_OPTS="-XX:+UseSerialGC -Xmx64m -Xmn8m -XX:TieredStopAtLevel=1 -Xss512k -XX:ReservedCodeCacheSize=32m -XX:-UsePerfData"
vertlet_java_major() { # prints the feature version of the given java binary
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

# The JDK's AOT cache (JEP 483/514, JDK 25+: one-step -XX:AOTCacheOutput): classes of the agent's
# start-up and of a pod's life loaded, linked and archived once per jar, mapped at every start
# (docs/performance.md, "JVM settings and what each bought"). vertlet_aot_opts JAR CACHE prints the
# flags that use CACHE, first (re)training it when it is missing or older than JAR or the JDK; prints
# nothing on a JDK < 25, with VERTLET_AOT=0, or when training fails (the agent then starts without).
# Training runs `vertlet aot-train` (an agent in a temporary dir, one pod) under the same flags as the
# agent, since the JVM only maps a cache made with a compatible GC and heap layout. The JVM itself
# refuses a cache whose jar changed and starts without it; -Xlog:disable -Xlog:all=warning:stderr
# keeps that warning (and any other JVM warning) off stdout, where commands print their results.
vertlet_aot_opts() {
  local jar="$1" cache="$2" flags="$3" major tmp
  [ "${VERTLET_AOT:-1}" != 0 ] || return 0
  major=$(vertlet_java_major "$JAVA")
  [ -n "$major" ] && [ "$major" -ge 25 ] 2>/dev/null || return 0
  if [ ! -s "$cache" ] || [ "$jar" -nt "$cache" ] || [ "$JAVA_HOME/lib/modules" -nt "$cache" ]; then
    tmp="$cache.$$.tmp"
    echo "vertlet: training the JDK AOT cache for this jar (once per build, ~20 s of CPU; log: $cache.log) ..." >&2
    if "$JAVA" $flags -XX:AOTCacheOutput="$tmp" -jar "$jar" aot-train >"$cache.log" 2>&1 && [ -s "$tmp" ]; then
      mv -f "$tmp" "$cache"
    else
      rm -f "$tmp" "$tmp.config"
      echo "vertlet: AOT cache training failed (see $cache.log); starting without it" >&2
      return 0
    fi
  fi
  echo "-XX:AOTCache=$cache -Xlog:disable -Xlog:all=warning:stderr"
}
