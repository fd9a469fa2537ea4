#!/usr/bin/env bash
# Times the three ways docs/install.md gives to get quiltt-mock, each in a fresh scratch project
# made with `npm init -y`, from this checkout's HEAD (through a bare clone, as a git server would
# serve it). Prints wall-clock and CPU seconds of each; docs/install.md quotes the results.
#   scripts/time-installs.sh [tarball|git|clone ...]     (default: all three)
#   PREBUILT=1 scripts/time-installs.sh ...               better-sqlite3 as where GitHub is reachable
# The npm cache is used as it is (warm after the first run). Takes about 5 to 10 minutes.
# better-sqlite3 downloads a prebuilt binary from GitHub, or compiles (~75 s of CPU) where it cannot.
# PREBUILT=1 hands it this checkout's build as a local prebuild instead (prebuild-install's own
# option), which is what the download gives: the times of a machine that reaches GitHub.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/quiltt-mock-installs.XXXXXX")
trap 'rm -rf "$work"' EXIT
ways=("$@")
[ ${#ways[@]} -gt 0 ] || ways=(tarball git clone)
git clone -q --bare "$repo" "$work/quiltt-mock.git"
if [ -n "${PREBUILT:-}" ]; then
  bs3="$repo/node_modules/better-sqlite3"
  v=$(node -p "require('$bs3/package.json').version")
  mkdir -p "$work/prebuilds"
  tar -czf "$work/prebuilds/better-sqlite3-v$v-node-v$(node -p process.versions.modules)-$(node -p 'process.platform + "-" + process.arch').tar.gz" -C "$bs3" build/Release/better_sqlite3.node
  export npm_config_better_sqlite3_local_prebuilds="$work/prebuilds"
  echo "better-sqlite3 $v: prebuilt (PREBUILT=1)"
fi
echo "quiltt-mock at $(git -C "$repo" rev-parse --short HEAD), Node $(node --version), npm $(npm --version), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"

project () { mkdir -p "$work/$1" && cd "$work/$1" && npm init -y >/dev/null; }

for way in "${ways[@]}"; do
  case "$way" in
    tarball)
      # Packing is once per version, by whoever has a clone; installing is per project.
      (cd "$repo" && /usr/bin/time -f "pack (npm pack, in a built checkout): %e s wall, %U+%S s CPU" npm pack --pack-destination "$work" >/dev/null 2>"$work/pack.time") || true
      tail -1 "$work/pack.time"
      project tarball
      /usr/bin/time -f "tarball (npm install --save-dev ./quiltt-mock-*.tgz @quiltt/core): %e s wall, %U+%S s CPU" \
        npm install --save-dev "$work"/quiltt-mock-*.tgz @quiltt/core >"$work/tarball.log" 2>"$work/tarball.time" || { cat "$work/tarball.log"; exit 1; }
      tail -1 "$work/tarball.time"
      npx quiltt-mock --version >/dev/null
      ;;
    git)
      project git
      /usr/bin/time -f "git (npm install --save-dev git+file://.../quiltt-mock.git @quiltt/core): %e s wall, %U+%S s CPU" \
        npm install --save-dev "git+file://$work/quiltt-mock.git#$(git -C "$repo" rev-parse HEAD)" @quiltt/core >"$work/git.log" 2>"$work/git.time" || { cat "$work/git.log"; exit 1; }
      tail -1 "$work/git.time"
      npx quiltt-mock --version >/dev/null
      ;;
    clone)
      git clone -q "$work/quiltt-mock.git" "$work/clone"
      cd "$work/clone"
      /usr/bin/time -f "clone (npm ci, which also builds): %e s wall, %U+%S s CPU" npm ci >"$work/clone.log" 2>"$work/clone.time" || { cat "$work/clone.log"; exit 1; }
      tail -1 "$work/clone.time"
      node bin/quiltt-mock.cjs --version >/dev/null
      ;;
    *) echo "unknown way: $way (tarball, git or clone)" >&2; exit 2 ;;
  esac
done
