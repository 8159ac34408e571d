#!/usr/bin/env bash
# Package kubectl-irsa release binaries for krew and rewrite krew-manifest.yaml.
#
# usage: scripts/package-release.sh [-v VERSION] [-o OUTDIR] [-m MANIFEST] (DIR | OS_ARCH=BINARY...)
#
#   DIR             a directory holding one sub-directory per platform, named OS_ARCH
#                   (linux_amd64, darwin_arm64, windows_amd64, ...), each with the
#                   built kubectl-irsa (kubectl-irsa.exe on windows) inside
#   OS_ARCH=BINARY  the same, one binary per argument, e.g.
#                   linux_amd64=target/x86_64-unknown-linux-musl/release/kubectl-irsa
#   -v VERSION      release version (default: v + the version in Cargo.toml)
#   -o OUTDIR       where the archives go (default: dist)
#   -m MANIFEST     the krew manifest to rewrite in place (default: krew-manifest.yaml)
#
# For each platform it makes kubectl-irsa_VERSION_OS_ARCH.tar.gz (.zip on windows) with the
# binary and LICENSE at the top level, writes ARCHIVE.sha256 beside it, and then rewrites the
# manifest's spec.version and every platform's uri and sha256. Every platform listed in the
# manifest must be given a binary, and every binary must have a platform in the manifest, so
# a partial build never leaves stale checksums behind. Archives are reproducible: fixed
# mtime (SOURCE_DATE_EPOCH), owner and file order, no gzip timestamp. Needs GNU tar and zip.
set -euo pipefail

die() { echo "package-release: $*" >&2; exit 1; }

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
name=kubectl-irsa
base_url=${RELEASE_BASE_URL:-https://github.com/kubectl-irsa/kubectl-irsa/releases/download}
version=""
outdir=dist
manifest="$root/krew-manifest.yaml"
license="$root/LICENSE"

while getopts "v:o:m:h" opt; do
  case $opt in
    v) version=$OPTARG ;;
    o) outdir=$OPTARG ;;
    m) manifest=$OPTARG ;;
    h) sed -n '2,20p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "bad option (see -h)" ;;
  esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || die "no binaries given (see -h)"

if [ -z "$version" ]; then
  version=$(sed -n 's/^version *= *"\([^"]*\)".*/\1/p' "$root/Cargo.toml" | head -n1)
  [ -n "$version" ] || die "no version in $root/Cargo.toml"
fi
version="v${version#v}"
[[ $version =~ ^v[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.+-]+)?$ ]] || die "version '$version' is not semver"

[ -f "$license" ] || die "missing $license"
[ -f "$manifest" ] || die "missing $manifest"
tar=tar
tar --version 2>/dev/null | grep -q 'GNU tar' || tar=gtar
"$tar" --version 2>/dev/null | grep -q 'GNU tar' || die "GNU tar is needed"
command -v zip >/dev/null || die "zip is needed"
if command -v sha256sum >/dev/null; then sha() { sha256sum "$1" | cut -d' ' -f1; }
else sha() { shasum -a 256 "$1" | cut -d' ' -f1; }; fi

# Collect OS_ARCH -> binary.
declare -A bins=()
if [ $# -eq 1 ] && [ -d "$1" ]; then
  for d in "$1"/*/; do
    d=${d%/}; key=$(basename "$d")
    for b in "$d/$name" "$d/$name.exe"; do [ -f "$b" ] && bins[$key]=$b; done
    [ -n "${bins[$key]:-}" ] || die "no $name binary in $d"
  done
else
  for arg in "$@"; do
    [[ $arg == *=* ]] || die "expected OS_ARCH=BINARY, got '$arg'"
    bins[${arg%%=*}]=${arg#*=}
  done
fi
[ ${#bins[@]} -gt 0 ] || die "no binaries found"

mkdir -p "$outdir"
outdir=$(cd "$outdir" && pwd)
epoch=${SOURCE_DATE_EPOCH:-$(git -C "$root" log -1 --format=%ct 2>/dev/null || true)}
[ -n "$epoch" ] || epoch=315532800 # 1980-01-01, the earliest time a zip entry can hold
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

hashes=""
for key in $(printf '%s\n' "${!bins[@]}" | sort); do
  [[ $key =~ ^(linux|darwin|windows)_(amd64|arm64)$ ]] || die "unknown platform '$key'"
  os=${key%_*}
  bin=${bins[$key]}
  [ -f "$bin" ] || die "$key: no such file $bin"
  exe=$name; ext=tar.gz
  if [ "$os" = windows ]; then exe=$name.exe; ext=zip; fi
  dir="$stage/$key"
  mkdir -p "$dir"
  install -m 0755 "$bin" "$dir/$exe"
  install -m 0644 "$license" "$dir/LICENSE"
  touch -d "@$epoch" "$dir/$exe" "$dir/LICENSE"
  archive="$outdir/${name}_${version}_${key}.$ext"
  rm -f "$archive"
  if [ "$ext" = zip ]; then
    (cd "$dir" && TZ=UTC zip -q -X -9 "$archive" "$exe" LICENSE)
  else
    "$tar" -C "$dir" --sort=name --mtime="@$epoch" --owner=0 --group=0 --numeric-owner \
      --format=gnu -cf - "$exe" LICENSE | gzip -9n >"$archive"
  fi
  sum=$(sha "$archive")
  echo "$sum  $(basename "$archive")" >"$archive.sha256"
  echo "$sum  $archive"
  hashes="$hashes $key=$sum"
done

# Rewrite spec.version and each platform's uri and sha256. A platform is recognised by the
# _OS_ARCH.tar.gz / _OS_ARCH.zip ending of its uri; its sha256 line must follow the uri.
tmp="$manifest.tmp.$$"
awk -v version="$version" -v base="$base_url" -v name="$name" -v hashes="$hashes" '
  BEGIN { n = split(hashes, kv, " "); for (i = 1; i <= n; i++) { split(kv[i], p, "="); h[p[1]] = p[2] } }
  function fail(msg) { print "package-release: " FILENAME ":" FNR ": " msg > "/dev/stderr"; bad = 1; exit 1 }
  !done_version && /^[ \t]+version:/ {
    sub(/version:.*/, "version: " version); done_version = 1; print; next
  }
  /^[ \t-]*uri:/ {
    if (pending != "") fail("uri without sha256 for " pending)
    if (!match($0, /_[a-z]+_[a-z0-9]+\.(tar\.gz|zip)"?[ \t]*$/)) fail("cannot tell the platform of " $0)
    key = substr($0, RSTART + 1, RLENGTH - 1); sub(/"?[ \t]*$/, "", key)
    ext = key; sub(/^[^.]*\./, "", ext); sub(/\..*$/, "", key)
    if (!(key in h)) fail("no binary given for platform " key)
    if (key in seen) fail("platform " key " listed twice")
    seen[key] = 1; pending = key
    sub(/uri:.*/, "uri: " base "/" version "/" name "_" version "_" key "." ext); print; next
  }
  /^[ \t-]*sha256:/ {
    if (pending == "") fail("sha256 without a uri before it")
    sub(/sha256:.*/, "sha256: \"" h[pending] "\""); pending = ""; print; next
  }
  { print }
  END {
    if (bad) exit 1
    if (pending != "") fail("uri without sha256 for " pending)
    if (!done_version) fail("no spec.version")
    for (k in h) if (!(k in seen)) fail("platform " k " is not in the manifest")
  }
' "$manifest" >"$tmp" || { rm -f "$tmp"; die "manifest not rewritten"; }
mv "$tmp" "$manifest"
echo "rewrote $manifest for $version"
