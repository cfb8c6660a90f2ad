#!/usr/bin/env bash
# Builds the real-GPU check kit into .gpu-kit/ (git-ignored) for a bare x86-64 Linux GPU host
# with no Node, no npm and no network: this machine's Node binary (xz), bench/gpu.ts bundled with
# everything it imports except `webgpu` (esbuild), webgpu's index.js + only the Linux dawn.node
# (xz), the wasm files and WGSL kernels the bundle loads, the PyTorch peer, and the Vulkan loader's .deb.
# Then: scripts/gpu-check/run.sh on the host (it reads .gpu-kit/ next to it).
set -euo pipefail
cd "$(dirname "$0")/../.."
KIT=.gpu-kit
if [ "$(uname -m)" != x86_64 ]; then echo "prepare.sh: the kit carries this machine's node; build it on x86-64" >&2; exit 2; fi
rm -rf "$KIT"
# The bundle sits three folders deep, as src/model/fast/kernel-module.ts does, so that its
# '../../../dist/wasm/kernels.wasm' lands in $KIT/dist/wasm.
APP="$KIT/app/bench/gpu"
mkdir -p "$APP/peers" "$KIT/dist/wasm" "$KIT/node_modules/webgpu/dist/linux-x64" "$KIT/debs"

[ -f dist/wasm/kernels.wasm ] || npm run build:wasm --silent
cp dist/wasm/kernels.wasm "$KIT/dist/wasm/"

echo "== node $(node --version) from $(node -p process.execPath)"
xz -T0 -6 -c "$(node -p process.execPath)" >"$KIT/node.xz"

echo "== bundle bench/gpu.ts"
# tfjs-backend-wasm's Node glue reads __dirname and require, which an ESM bundle lacks: define them
banner="import { createRequire as lswRequire } from 'node:module'; import { fileURLToPath as lswPath } from 'node:url'; import { dirname as lswDir } from 'node:path'; const require = lswRequire(import.meta.url); const __filename = lswPath(import.meta.url); const __dirname = lswDir(__filename);"
npx esbuild bench/gpu.ts --bundle --platform=node --format=esm --target=node20 --external:webgpu \
  --outfile="$APP/bench-gpu.mjs" --banner:js="$banner" --log-level=warning
# tfjs-backend-wasm looks for its .wasm files next to the script (__dirname)
cp node_modules/@tensorflow/tfjs-backend-wasm/dist/*.wasm "$APP/"
# the gpu engine reads its WGSL kernels from ./shaders next to its module (src/model/gpu/shaders.ts)
cp -r src/model/gpu/shaders "$APP/shaders"
# bench/torch-gpu-peer.ts finds ./peers/torch_gpu.py next to itself; it imports ../torch_train.py
cp bench/peers/torch_gpu.py "$APP/peers/"
cp bench/torch_train.py "$APP/"

echo "== webgpu: index.js + linux-x64 dawn.node"
cp node_modules/webgpu/index.js node_modules/webgpu/package.json "$KIT/node_modules/webgpu/"
xz -T0 -6 -c node_modules/webgpu/dist/linux-x64/dawn.node >"$KIT/node_modules/webgpu/dist/linux-x64/dawn.node.xz"

echo "== libvulkan1 (.deb, for hosts without a Vulkan loader)"
(cd "$KIT/debs" && apt-get download libvulkan1 >/dev/null)

du -sh "$KIT"
