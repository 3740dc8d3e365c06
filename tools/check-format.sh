#!/bin/sh
# tools/check-format.sh - every tracked C file must match .clang-format.
# Prints the files that differ (fix with: clang-format -i FILE); exits 1 then.
set -u
cd "$(dirname "$0")/.." || exit 2
bad=0
for f in $(git ls-files '*.c' '*.h'); do
	if ! clang-format --dry-run --Werror "$f" >/dev/null 2>&1; then
		echo "format: $f differs from .clang-format (clang-format -i $f)"
		bad=1
	fi
done
[ "$bad" -eq 0 ] && echo "format: ok ($(git ls-files '*.c' '*.h' | wc -l) files match .clang-format)"
exit "$bad"
