#!/usr/bin/env bash
# Real-serializer oracle for the ProcessOne contracts. Installs nothing: the packages in apt-packages.txt
# must be present (see README.md). Exit status 0 only if every step passes.
#
#   bash tests/peers/dotnet/run.sh            full run (static checks, import/export identity, 56 seed samples, serve smoke test)
#   SEED=/path/to/003_*.txt bash run.sh       also prove the fixtures are exactly what extract_seed.py makes of the seed
#   ORACLE_BUILD=/some/dir bash run.sh        build directory (default: tests/peers/dotnet/build)
#
# After a run, "$ORACLE_BUILD/Oracle.exe serve $ORACLE_BUILD/Contracts.dll" is the long-lived peer (README.md).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../../.." && pwd)"
XSD="$REPO/specs/processone/contracts"
FIX="$REPO/tests/fixtures/processone"
BUILD="${ORACLE_BUILD:-$HERE/build}"
export TZ=America/Los_Angeles   # the seed's date-times carry -08:00 (PST): DCS writes local offsets
export LC_ALL=C.UTF-8 MONO_ENV_OPTIONS="${MONO_ENV_OPTIONS:-}"

missing=()
for tool in mono mcs python3; do command -v "$tool" >/dev/null 2>&1 || missing+=("$tool"); done
[ -e /usr/share/zoneinfo/America/Los_Angeles ] || missing+=("tzdata")
if [ ${#missing[@]} -gt 0 ]; then
  echo "run.sh: missing ${missing[*]}; install: apt-get install -y --no-install-recommends $(tr '\n' ' ' < "$HERE/apt-packages.txt")" >&2
  exit 3
fi
REFS="-r:System.Runtime.Serialization -r:System.Xml"
mkdir -p "$BUILD"
step() { printf '\n== %s\n' "$*"; }

if [ -n "${SEED:-}" ]; then
  step "fixtures: re-extract from $SEED and compare with tests/fixtures/processone"
  tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
  python3 "$HERE/extract_seed.py" "$SEED" "$tmp"
  cp "$FIX/README.md" "$tmp/README.md" 2>/dev/null || true
  diff -r "$tmp" "$FIX" && echo "fixtures: identical to a fresh extraction"
fi

step "static checks of the XSDs against the seed tables and JSON samples"
python3 "$HERE/check_schemas.py" "$XSD" "$FIX"

step "compile the oracle"
mcs -nologo -warnaserror+ $REFS "$HERE/Oracle.cs" -out:"$BUILD/Oracle.exe"

step "import the XSDs (XsdDataContractImporter -> CodeDOM -> C#, IExtensibleDataObject removed) and compile"
mono "$BUILD/Oracle.exe" gen "$XSD" "$BUILD/Contracts.cs"
mcs -nologo -target:library $REFS "$BUILD/Contracts.cs" -out:"$BUILD/Contracts.dll"

step "export the compiled contracts (XsdDataContractExporter) and compare with our XSDs item by item"
mono "$BUILD/Oracle.exe" check "$XSD" "$BUILD/Contracts.dll"

step "every seed XML sample: DCS ReadObject (XmlDictionaryReader) -> WriteObject (XmlWriter) -> identical bytes"
mono "$BUILD/Oracle.exe" samples "$BUILD/Contracts.dll" "$FIX"

step "serve protocol (the long-lived peer the Rust tests will drive)"
python3 "$HERE/serve_smoke.py" "$BUILD" "$FIX"

step "ALL PASSED"
