#!/usr/bin/env bash
# pgark's main job end to end on an embedded default: a scratch PostgreSQL cluster pgark starts itself.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
exec dotnet run -c Release --project src/Pgark.Cli -- demo "$@"
