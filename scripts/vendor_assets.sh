#!/usr/bin/env bash
# Copy the offline JavaScript assets (MathJax 3, require.js, the Jupyter widgets HTML
# manager and its fonts) from node_modules/ into _vendor/, which _config.yml serves as
# html_static_path. Runs `npm ci` first when node_modules is missing.
# Never copy these into a root _static/ folder: Jupyter Book 1.x would then inject every
# .js/.css file it finds into every page.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules/mathjax ] || [ ! -d node_modules/@jupyter-widgets/html-manager ] || [ ! -d node_modules/requirejs ]; then
  npm ci --ignore-scripts --no-audit --no-fund
fi
rm -rf _vendor && mkdir -p _vendor/widgets
cp -r node_modules/mathjax/es5 _vendor/mathjax
hm=node_modules/@jupyter-widgets/html-manager/dist
cp "$hm"/embed-amd.js "$hm"/*.woff "$hm"/*.woff2 "$hm"/*.ttf "$hm"/*.eot "$hm"/*.svg _vendor/widgets/
cp node_modules/requirejs/require.js _vendor/widgets/
cp scripts/widgets-config.js _vendor/widgets/
echo "vendor_assets: _vendor/ ready ($(du -sh _vendor | cut -f1))"
