# Sourced by ./curia and .ci/run. Puts Node 24 first on PATH (installing it from the npm registry when the machine's
# Node is older: the @atproto packages need >= 22, Curia targets 24) and installs the project's dependencies when
# node_modules is missing or older than the lockfile. Safe to run again: it does nothing when all is in place.

curia_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

curia_node_ok() {
  command -v node >/dev/null 2>&1 && node -e 'process.exit(+process.versions.node.split(".")[0] >= 24 ? 0 : 1)'
}

curia_ensure_node() {
  if curia_node_ok; then
    # Native addons must compile against this Node's headers (the machine's npmrc may name another's).
    local here
    here="$(dirname "$(dirname "$(command -v node)")")"
    [ -d "$here/include/node" ] && export npm_config_nodedir="$here"
    return 0
  fi
  local arch
  case "$(uname -m)" in
    x86_64) arch=x64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) echo "curia: no Node 24 package for $(uname -m); install Node >= 24 yourself" >&2; return 1 ;;
  esac
  local prefix="${CURIA_NODE_PREFIX:-$HOME/.node24}"
  local dir="$prefix/node_modules/node-linux-$arch"
  if [ ! -x "$dir/bin/node" ]; then
    echo "curia: installing Node 24 into $prefix (from the npm registry)..."
    npm install --prefix "$prefix" --no-save --no-audit --no-fund "node-linux-$arch@24" >/dev/null
  fi
  export PATH="$dir/bin:$PATH"
  # Native addons must compile against Node 24's headers, not the machine's Node.
  export npm_config_nodedir="$dir"
  curia_node_ok || { echo "curia: Node 24 did not install" >&2; return 1; }
}

curia_ensure_deps() {
  local stamp="$curia_root/node_modules/.package-lock.json" stale=""
  # A dependency patch (patches/, applied by patch-package on install) newer than the install also needs one.
  for patch in "$curia_root"/patches/*.patch; do
    [ -f "$patch" ] && [ "$patch" -nt "$stamp" ] && stale=1
  done
  if [ ! -f "$stamp" ] || [ "$curia_root/package-lock.json" -nt "$stamp" ] || [ -n "$stale" ]; then
    echo "curia: installing dependencies (npm ci)..."
    (cd "$curia_root" && npm ci --no-audit --no-fund)
  fi
}

curia_ensure_chromium() {
  command -v chromium >/dev/null 2>&1 && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "curia: installing Chromium for the browser tests (apt-get install chromium)..."
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null 2>&1 ||
      { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null; }
  else
    echo "curia: the browser tests need Chromium at /usr/bin/chromium: sudo apt-get install chromium" >&2
    return 1
  fi
}
