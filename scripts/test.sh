#!/usr/bin/env bash
# Runs pgark's whole test suite (unit, integration against real PostgreSQL servers, a bounded fuzz run)
# and ends with one line "N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh || exit 1
# Other PostgreSQL majors for cross-version tests (13/14 legacy BASE_BACKUP dialect, restores onto newer majors).
for major in ${PGARK_TEST_MAJORS:-13 14 16 17 18}; do
  bash scripts/install-pg-major.sh "$major" >/dev/null || { echo "pgark: could not install PostgreSQL $major" >&2; exit 1; }
done

log=$(mktemp)
# Slow tests ([Trait("Category", "Slow")]: a table over 1 GiB, ...) take minutes and GiBs of disk: only with PGARK_SLOW=1.
slow=(--filter "Category!=Slow")
[ "${PGARK_SLOW:-0}" = 1 ] && slow=()
dotnet test Engine.sln -c Release --nologo -v q --logger "console;verbosity=minimal" ${slow[@]+"${slow[@]}"} "$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}

# The single-file build that ships: publish it once, then run the tests that drive the CLI against it (PGARK_BIN makes
# CliRunner/CliHarness/the crash test start that file instead of calling the CLI in-process).
if [ "$rc" -eq 0 ]; then
  if bin=$(bash scripts/publish-single-file.sh); then
    PGARK_BIN=$bin dotnet test tests/Pgark.Tests -c Release --no-build --nologo -v q --logger "console;verbosity=minimal" \
      --filter "FullyQualifiedName~Pgark.Tests.Cli.|FullyQualifiedName~WriterCrashTests" 2>&1 | tee -a "$log"
    single_rc=${PIPESTATUS[0]}
    PGARK_BIN=$bin dotnet test tests/Pgark.IntegrationTests -c Release --no-build --nologo -v q --logger "console;verbosity=minimal" \
      --filter "FullyQualifiedName~WalPushGetTests|FullyQualifiedName~WalRefusalTests|FullyQualifiedName~WalStatusTests" 2>&1 | tee -a "$log"
    [ "${PIPESTATUS[0]}" -eq 0 ] && [ "$single_rc" -eq 0 ] || rc=1
  else
    echo "pgark: the single-file publish failed (see above)" >&2
    rc=1
  fi
fi

passed=0; failed=0; skipped=0
while read -r f p s; do
  failed=$((failed + f)); passed=$((passed + p)); skipped=$((skipped + s))
done < <(grep -E '(Passed|Failed)!  - Failed:' "$log" \
  | sed -E 's/.*Failed: *([0-9]+), Passed: *([0-9]+), Skipped: *([0-9]+).*/\1 \2 \3/')
rm -f "$log"
if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
  # A build error or a crashed test host reports no failed test: count it, so the summary never reads clean.
  echo "pgark: dotnet test exited with $rc without a failed test (build error or test host crash; see above)" >&2
  failed=1
fi

fuzz_rc=0
if [ "$rc" -eq 0 ]; then
  dotnet run -c Release --project fuzz/Pgark.Fuzz -- --all --seconds "${PGARK_FUZZ_SECONDS:-20}" || fuzz_rc=$?
  if [ "$fuzz_rc" -eq 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
fi

echo "$passed passed, $failed failed, $skipped skipped"
[ "$rc" -eq 0 ] && [ "$fuzz_rc" -eq 0 ] && [ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
