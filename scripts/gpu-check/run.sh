#!/usr/bin/env bash
# Runs bench:gpu on a bare GPU host from the kit that prepare.sh built (.gpu-kit/ at the
# repository root): no Node, npm or network needed. Unpacks into a scratch folder, brings the
# Vulkan loader when the host has none (never unpacked into /), finds the NVIDIA Vulkan driver,
# lists the WebGPU adapters, runs the bench within the time budget and prints its table.
# The JSON goes to $OUT/bench-gpu.json when OUT is set (else into the scratch folder).
#   BUDGET_S   seconds the bench may measure (default 330; the whole run stays under 8 minutes)
#   BENCH_ARGS extra bench flags (e.g. "--quick" or "--shapes 10x8,32x2")
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
KIT="$ROOT/.gpu-kit"
[ -f "$KIT/node.xz" ] || { echo "run.sh: no kit at $KIT: run scripts/gpu-check/prepare.sh first" >&2; exit 2; }
BUDGET_S="${BUDGET_S:-330}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/lsw-gpu-check.XXXXXX")"
echo "== unpacking the kit into $WORK"
cp -r "$KIT/." "$WORK/"

unxz_to() { # file.xz -> file, with xz or else python3's lzma
  if command -v xz >/dev/null 2>&1; then xz -d -T0 "$1"
  else python3 -c 'import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[1][:-3], "wb"))' "$1" && rm "$1"; fi
}
unxz_to "$WORK/node.xz"
chmod +x "$WORK/node"
unxz_to "$WORK/node_modules/webgpu/dist/linux-x64/dawn.node.xz"
NODE="$WORK/node"
echo "== node $("$NODE" --version)"

# The Vulkan loader: the host's, else the carried libvulkan1 unpacked into the scratch folder
if ldconfig -p 2>/dev/null | grep -q 'libvulkan\.so\.1'; then
  echo "== Vulkan loader: the host's"
else
  mkdir -p "$WORK/vulkan"
  for deb in "$WORK"/debs/*.deb; do
    if command -v dpkg >/dev/null 2>&1; then dpkg -x "$deb" "$WORK/vulkan"
    else # a .deb is an ar archive holding data.tar.*
      python3 - "$deb" "$WORK/vulkan" <<'PY'
import io, sys, tarfile
data = open(sys.argv[1], "rb").read()
pos = 8
while pos < len(data):
    name, size = data[pos:pos + 16].decode().strip(), int(data[pos + 48:pos + 58])
    if name.startswith("data.tar"):
        tarfile.open(fileobj=io.BytesIO(data[pos + 60:pos + 60 + size])).extractall(sys.argv[2])
    pos += 60 + size + size % 2
PY
    fi
  done
  export LD_LIBRARY_PATH="$WORK/vulkan/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  echo "== Vulkan loader: carried libvulkan1 ($LD_LIBRARY_PATH)"
fi

# The driver: as set, else the NVIDIA ICD the container toolkit or the driver package installed
if [ -z "${VK_ICD_FILENAMES:-}" ] && [ -z "${VK_DRIVER_FILES:-}" ]; then
  for icd in /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json /usr/share/vulkan/icd.d/nvidia*.json /etc/vulkan/icd.d/nvidia*.json; do
    if [ -f "$icd" ]; then export VK_DRIVER_FILES="$icd"; break; fi
  done
  echo "== Vulkan driver: ${VK_DRIVER_FILES:-the default search of the loader}"
else
  echo "== Vulkan driver: ${VK_ICD_FILENAMES:-$VK_DRIVER_FILES} (as set)"
fi
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/tmp}"

BENCH="$WORK/app/bench/gpu/bench-gpu.mjs"
echo "== WebGPU adapters"
"$NODE" "$BENCH" --adapters

REPORT="${OUT:+$OUT/bench-gpu.json}"
REPORT="${REPORT:-$WORK/bench-gpu.json}"
[ -n "${OUT:-}" ] && mkdir -p "$OUT"
echo "== bench:gpu --json --budget-s $BUDGET_S ${BENCH_ARGS:-} (stderr: progress)"
# the hard stop leaves room for the unpacking and the table inside 8 minutes
timeout $((BUDGET_S + 90)) "$NODE" "$BENCH" --json --budget-s "$BUDGET_S" ${BENCH_ARGS:-} >"$REPORT"
echo "== report: $REPORT"
"$NODE" "$BENCH" --report "$REPORT"
