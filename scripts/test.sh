#!/usr/bin/env bash
# Everything CI checks, in one command: installs what the tests need (the pinned Node packages of
# interop/ and examples/nextjs/, Debian's chromium for the browser tests, Debian's redis-server for
# the revocation tests), then formatting, lints, docs and every test.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

step "Node.js (required: the interop tests run the real iron-session)"
if ! command -v node >/dev/null; then
  echo "error: node is not installed; the interop tests need Node.js 20 or newer and npm" >&2
  exit 1
fi
node --version
# interop/: the npm packages the Rust tests compare with, playwright-core and Node 22.
# examples/nextjs/: the Next.js app of the example's browser test (Next.js, React, iron-session).
for dir in interop examples/nextjs; do
  if [ -n "${CI:-}" ] || [ ! -d "$dir/node_modules" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
    (cd "$dir" && npm ci --no-audit --no-fund)
  fi
done

step "Chromium (required: the browser tests drive the demo and the Next.js example in a real browser)"
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium
  else
    echo "error: /usr/bin/chromium is missing: install Debian's chromium package (sudo apt-get install chromium)" >&2
    exit 1
  fi
fi

step "redis-server (required: the revocation tests start their own Redis servers)"
if ! command -v redis-server >/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends redis-server
  else
    echo "error: redis-server is missing: install Debian's redis-server package (sudo apt-get install redis-server)" >&2
    exit 1
  fi
fi
redis-server --version

step "faketime (required: the time-dependent suites also run a year ahead)"
if ! command -v faketime >/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends faketime
  else
    echo "error: faketime is missing: install Debian's faketime package (sudo apt-get install faketime)" >&2
    exit 1
  fi
fi

step "cargo fmt --check"
cargo fmt --all -- --check

# The concepts of crates/ironsession/src (its folders) import each other one way only, in the
# order docs/architecture.md shows: a circle, or an import of a concept declared above, fails.
step "ironsession: imports run one way between its concepts"
python3 scripts/check-layers.py

# Every public method of `Session`, `SessionConfigBuilder` and the revocation builders shows its
# use in a doc example (docs.rs shows each method on its own).
step "ironsession: a doc example on every public method of the session and the builders"
python3 scripts/check-doc-examples.py

step "cargo clippy"
cargo clippy --workspace --all-targets --all-features -- -D warnings

# bench/peers is outside the workspace (its dependencies stay out of the test build below): one
# check-only build for formatting and lints, into the same target directory.
step "bench/peers: cargo fmt --check and cargo clippy"
cargo fmt --manifest-path bench/peers/Cargo.toml -- --check
cargo clippy --manifest-path bench/peers/Cargo.toml --target-dir target --all-targets -- -D warnings

step "cargo doc"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --all-features --no-deps

step "cargo test"
cargo test --workspace --all-features

# Suites whose subject is time (expiry, lifetimes, revocation retention and pruning) once more with
# the system clock a year ahead: a test that only passes before some date fails here today, not
# on that date. Monotonic clocks stay real, so timeouts and intervals behave.
step "time-dependent suites under faketime, one year ahead"
mapfile -t time_suites < <(cargo test -p ironsession --all-features --no-run --message-format=json \
  --lib --test revocation --test lifetimes --test ttl_limit 2>/dev/null | python3 -c '
import json, sys
for line in sys.stdin:
    message = json.loads(line)
    if message.get("reason") == "compiler-artifact" and message.get("executable") and message["profile"]["test"]:
        print(message["executable"])
')
[ "${#time_suites[@]}" -eq 4 ] || { echo "error: expected 4 time-dependent test binaries, found ${#time_suites[@]}" >&2; exit 1; }
for suite in "${time_suites[@]}"; do
  echo "-- $(basename "$suite") at $(FAKETIME_DONT_FAKE_MONOTONIC=1 faketime '+365 days' date -u +%FT%TZ)"
  FAKETIME_DONT_FAKE_MONOTONIC=1 faketime '+365 days' "$suite"
done

# `ironsession` with no feature, and with each feature alone (all of them together ran above): a
# feature that only compiles beside another, or a test that needs one it does not declare, fails
# here. Pairs are not built: the only code compiled for two features together (the Redis
# backend's propagation metric, `cfg(all(feature = "metrics", feature = "redis"))`; the
# acceptance suite and the README's doctests, which need axum and actix-web) builds in the
# all-features run above, and each half of it in the single-feature runs. Every combination
# would be 2^N - 1 runs (15 with four features), each a clippy and a test build of the crate (2 min
# 15 s for `metrics` alone on a 2-core machine); this is N + 1. The features come from the
# manifest, so a new one joins by itself.
step "ironsession: no features, and each feature alone"
mapfile -t feature_sets < <(cargo metadata --no-deps --format-version 1 | python3 -c '
import json, sys
package = next(p for p in json.load(sys.stdin)["packages"] if p["name"] == "ironsession")
print("")
for name in sorted(f for f in package["features"] if f != "default"):
    print(name)
')
for features in "${feature_sets[@]}"; do
  echo "-- ironsession with features: ${features:-(none)}"
  cargo clippy -p ironsession --no-default-features --features "$features" --all-targets -- -D warnings
  cargo test -p ironsession --no-default-features --features "$features" --lib --tests
done

# The crates as crates.io would build them, in dependency order (iron-seal first: cargo packages
# the workspace's crates together, so ironsession verifies against the packaged iron-seal).
# Crates with `publish = false` (the demo, the bench) are left out.
step "cargo package (the published crates)"
mapfile -t unpublished < <(cargo metadata --no-deps --format-version 1 | python3 -c '
import json, sys
for p in json.load(sys.stdin)["packages"]:
    if p["publish"] == []:
        print("--exclude=" + p["name"])
')
# Cargo verifies each crate against the others through a temporary local registry, and unpacks
# them into $CARGO_HOME/registry/src/-<hash>/NAME-VERSION: a directory it reuses without checking
# when it already exists. The hash depends only on the checkout's path, so a second run of the same
# version in the same place (a CI machine) would verify today's ironsession against an earlier
# run's iron-seal. Removing our own crates' unpacked copies, and what was compiled from them (cargo
# takes a registry crate's source as immutable), makes every run verify this tree.
mapfile -t published < <(cargo metadata --no-deps --format-version 1 | python3 -c '
import json, sys
for p in json.load(sys.stdin)["packages"]:
    if p["publish"] != []:
        print(p["name"], p["version"])
')
for crate in "${published[@]}"; do
  read -r name version <<<"$crate"
  rm -rf "${CARGO_HOME:-$HOME/.cargo}"/registry/src/-*/"$name-$version"
  cargo clean --quiet --package "$name"
done
cargo package --workspace "${unpublished[@]}" --locked --allow-dirty

# The doc tests of each packaged library crate, run in its unpacked `.crate` as a user of
# crates.io would get it: a doc that includes a file outside the crate's directory (a README two
# levels up) fails here. Our crates depend on each other by version, so each one's dependencies
# on the others are patched to their unpacked packages. About 30 s with the dependencies built.
step "doc tests of the packaged crates"
workspace=$PWD
unpacked=$(mktemp -d)
trap 'rm -rf "$unpacked"' EXIT
patches=()
for crate in "${published[@]}"; do
  read -r name version <<<"$crate"
  tar -xzf "target/package/$name-$version.crate" -C "$unpacked"
  patches+=(--config "patch.crates-io.$name.path=\"$unpacked/$name-$version\"")
done
for crate in "${published[@]}"; do
  read -r name version <<<"$crate"
  [ -f "$unpacked/$name-$version/src/lib.rs" ] || continue
  echo "-- $name $version"
  (cd "$unpacked/$name-$version" && CARGO_TARGET_DIR="$workspace/target" cargo test --doc --all-features --offline "${patches[@]}")
done

# A bounded timing check of the MAC comparison (benches/mac_timing.rs, --check): under a second
# of measuring after the release build; fails if Mac::ct_eq's time depends on where two MACs
# differ (|t| > 20; an early-exit comparison gives over 100), or if the early-exit control shows
# nothing (a run too noisy to judge).
step "MAC comparison timing check (dudect-style Welch t-test, release build)"
cargo bench -p iron-seal --bench mac_timing -- --check

step "fuzzing (every target of fuzz/ for 60 s from its seed corpus; fails on any crash)"
if ! command -v cargo-fuzz >/dev/null; then
  cargo install cargo-fuzz --locked
fi
(
  cd fuzz
  # cargo-fuzz passes nightly-only flags (-Zsanitizer=address); RUSTC_BOOTSTRAP lets the stable
  # compiler take them, for this build only.
  export RUSTC_BOOTSTRAP=1
  started=$SECONDS
  cargo fuzz build
  echo "fuzz targets built in $((SECONDS - started)) s"
  for target in $(cargo fuzz list); do
    mkdir -p "corpus/$target"
    log="target/fuzz-$target.log"
    if ! cargo fuzz run "$target" "corpus/$target" "seeds/$target" -- -max_total_time=60 >"$log" 2>&1; then
      tail -n 60 "$log" >&2
      echo "error: fuzz target $target failed; the input is in fuzz/artifacts/$target/" >&2
      exit 1
    fi
    echo "$target: $(grep -a '^Done' "$log" | tail -n 1)"
  done
)
