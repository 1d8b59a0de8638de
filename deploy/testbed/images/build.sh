#!/usr/bin/env bash
# Builds the two test images OFFLINE as OCI image-layout tarballs that `ctr images import` takes:
#   localhost/pause:3.6     one static binary of ours (pause.c beside this file)
#   localhost/busybox:1.35  Debian's busybox-static with a symlink per applet
# No registry is contacted: the layers are made here from files already on the machine.
#
# usage: build.sh pause|busybox OUT_DIR
# Writes OUT_DIR/<name>-<key>.tar (key = hash of every input, so a rebuild happens only when an
# input changes) and prints its path. OUT_DIR/<name>-<key>.digest holds the manifest digest.
set -euo pipefail

HERE="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
# Bump when the layout written below changes, so cached tarballs are rebuilt.
FORMAT_VERSION=2

die() { echo "images/build.sh: $*" >&2; exit 1; }
sha256_of() { sha256sum "$1" | cut -d' ' -f1; }
size_of() { stat -c %s "$1"; }

# Deterministic tar of a root filesystem: same inputs give the same bytes and so the same digests.
pack_layer() {
  local rootfs="$1" out="$2"
  tar --create --file "$out" --directory "$rootfs" --sort=name --mtime=@0 \
      --owner=0 --group=0 --numeric-owner --format=posix \
      --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime .
}

# write_image NAME TAG ROOTFS OUT_TAR CONFIG_FIELDS_JSON
write_image() {
  local name="$1" tag="$2" rootfs="$3" out="$4" config_fields="$5"
  local work; work="$(mktemp -d)"
  mkdir -p "$work/layout/blobs/sha256"
  local blobs="$work/layout/blobs/sha256"

  pack_layer "$rootfs" "$work/layer.tar"
  local diff_id; diff_id="$(sha256_of "$work/layer.tar")"
  gzip -n -6 -c "$work/layer.tar" > "$work/layer.tar.gz"
  local layer_digest layer_size
  layer_digest="$(sha256_of "$work/layer.tar.gz")"; layer_size="$(size_of "$work/layer.tar.gz")"
  mv "$work/layer.tar.gz" "$blobs/$layer_digest"

  printf '{"architecture":"amd64","os":"linux","config":%s,"rootfs":{"type":"layers","diff_ids":["sha256:%s"]},"history":[{"created_by":"vertlet deploy/testbed/images/build.sh"}]}' \
    "$config_fields" "$diff_id" > "$work/config.json"
  local config_digest config_size
  config_digest="$(sha256_of "$work/config.json")"; config_size="$(size_of "$work/config.json")"
  mv "$work/config.json" "$blobs/$config_digest"

  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:%s","size":%s}]}' \
    "$config_digest" "$config_size" "$layer_digest" "$layer_size" > "$work/manifest.json"
  local manifest_digest manifest_size
  manifest_digest="$(sha256_of "$work/manifest.json")"; manifest_size="$(size_of "$work/manifest.json")"
  mv "$work/manifest.json" "$blobs/$manifest_digest"

  # io.containerd.image.name gives ctr the full reference; ref.name is the OCI-standard tag.
  printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"platform":{"architecture":"amd64","os":"linux"},"annotations":{"io.containerd.image.name":"%s:%s","org.opencontainers.image.ref.name":"%s"}}]}' \
    "$manifest_digest" "$manifest_size" "$name" "$tag" "$tag" > "$work/layout/index.json"
  printf '{"imageLayoutVersion":"1.0.0"}' > "$work/layout/oci-layout"

  tar --create --file "$out.partial" --directory "$work/layout" --sort=name --mtime=@0 \
      --owner=0 --group=0 --numeric-owner oci-layout index.json blobs
  echo "sha256:$manifest_digest" > "${out%.tar}.digest"
  mv "$out.partial" "$out"
  rm -rf "$work"
}

build_pause() {
  local out_dir="$1"
  command -v gcc >/dev/null || die "gcc is required to build the pause image"
  local key; key="$( { echo "$FORMAT_VERSION"; cat "$HERE/pause.c"; gcc --version | head -1; } | sha256sum | cut -c1-16)"
  local out="$out_dir/pause-$key.tar"
  if [ ! -s "$out" ]; then
    local rootfs; rootfs="$(mktemp -d)"
    chmod 0755 "$rootfs"  # mktemp makes it 0700; it becomes the image's /
    gcc -static -Os -s -o "$rootfs/pause" "$HERE/pause.c" \
      || { rm -rf "$rootfs"; die "static build of pause.c failed (is libc6-dev installed?)"; }
    write_image localhost/pause 3.6 "$rootfs" "$out" '{"Entrypoint":["/pause"],"WorkingDir":"/"}'
    rm -rf "$rootfs"
  fi
  echo "$out"
}

build_busybox() {
  local out_dir="$1"
  local bb=/bin/busybox
  [ -x "$bb" ] || die "$bb is missing (apt-get install busybox-static)"
  file_is_static "$bb" || die "$bb is not statically linked (install busybox-static, not busybox)"
  local key; key="$( { echo "$FORMAT_VERSION"; sha256_of "$bb"; } | sha256sum | cut -c1-16)"
  local out="$out_dir/busybox-$key.tar"
  if [ ! -s "$out" ]; then
    local rootfs; rootfs="$(mktemp -d)"
    chmod 0755 "$rootfs"  # mktemp makes it 0700; it becomes the image's /
    mkdir -p "$rootfs"/{bin,sbin,usr/bin,usr/sbin,etc,tmp,root,proc,sys,dev,var/tmp,home}
    chmod 1777 "$rootfs/tmp" "$rootfs/var/tmp"
    chmod 0700 "$rootfs/root"
    cp "$bb" "$rootfs/bin/busybox"
    # busybox installs a symlink per applet at its usual path (bin/sh, usr/bin/env, ...); run
    # chrooted so the paths land in the rootfs, in one process rather than a fork per applet.
    chroot "$rootfs" /bin/busybox --install -s \
      || { rm -rf "$rootfs"; die "busybox --install in the image rootfs failed"; }
    printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' > "$rootfs/etc/passwd"
    printf 'root:x:0:\nnogroup:x:65534:\n' > "$rootfs/etc/group"
    write_image localhost/busybox 1.35 "$rootfs" "$out" \
      '{"Cmd":["sh"],"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"WorkingDir":"/"}'
    rm -rf "$rootfs"
  fi
  echo "$out"
}

# An ELF with no PT_INTERP program header needs no dynamic loader, i.e. runs in an empty rootfs.
file_is_static() {
  ! LC_ALL=C readelf -l "$1" 2>/dev/null | grep -q 'Requesting program interpreter'
}

[ $# -eq 2 ] || die "usage: build.sh pause|busybox OUT_DIR"
mkdir -p "$2"
case "$1" in
  pause) build_pause "$2" ;;
  busybox) build_busybox "$2" ;;
  *) die "unknown image '$1' (pause|busybox)" ;;
esac
