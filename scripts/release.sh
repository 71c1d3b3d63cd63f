#!/usr/bin/env bash
# Release vX.Y.Z and move the floating major tag vX to it, the way GitHub Actions are versioned:
# workflows pin `@v1` (every compatible release) or `@v1.2.3` (exactly one).
#   scripts/release.sh 1.2.3        # then push as printed
set -euo pipefail
version=${1:?usage: scripts/release.sh X.Y.Z}
[[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || { echo "version must be X.Y.Z, got $version" >&2; exit 2; }
major=v${version%%.*}
cd "$(dirname "$0")/.."
[[ $(git rev-parse --abbrev-ref HEAD) == main ]] || { echo "release from main" >&2; exit 1; }
[[ -z $(git status --porcelain) ]] || { echo "the work tree is not clean" >&2; exit 1; }
git rev-parse -q --verify "refs/tags/v$version" >/dev/null && { echo "v$version exists already" >&2; exit 1; }

npm test # includes check-dist: the tag must point at a dist/ built from its src/
npm version "$version" --no-git-tag-version >/dev/null
git commit -qam "Release v$version"
git tag -a "v$version" -m "v$version"
git tag -fa "$major" -m "$major (v$version)"
echo "Tagged v$version and moved $major. Publish with:"
echo "  git push origin main v$version && git push -f origin $major"
