#!/usr/bin/env bash
# The package tier: `npm pack` gives a tarball that installs into an empty folder, where the CLI and the library's
# entry points work and npm prints no warning (docs/install.md). Run by .ci/run after the tests; about 30 s.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tgz=$(npm pack --silent --pack-destination "$work" | tail -1)
mkdir "$work/consumer"
cd "$work/consumer"
npm init -y >/dev/null
npm install --no-audit --no-fund "$work/$tgz" >"$work/install.log" 2>&1 || { cat "$work/install.log"; exit 1; }
out=$(npx --no-install beliefscope process info mess3 2>&1)
node --input-type=module -e '
const core = await import("beliefscope"); const node = await import("beliefscope/node");
const p = core.makeProcess("mess3");
if (p.nStates !== 3 || typeof node !== "object") { console.error("package entry points: unexpected exports"); process.exit(1); }'
fail=0
if grep -qi "npm warn" "$work/install.log"; then echo "package: npm warned while installing the tarball:"; grep -i "npm warn" "$work/install.log"; fail=1; fi
if grep -qi "npm warn" <<<"$out"; then echo "package: npm warned on npx beliefscope:"; grep -i "npm warn" <<<"$out"; fail=1; fi
grep -q "optimal loss" <<<"$out" || { echo "package: the installed CLI did not answer 'process info mess3':"; echo "$out" | tail -5; fail=1; }
[ $fail -eq 0 ] && echo "package tier: $tgz installs into an empty folder, CLI and imports work, no npm warnings"
exit $fail
