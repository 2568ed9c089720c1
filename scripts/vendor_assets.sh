#!/usr/bin/env bash
# Copy the offline JavaScript assets that the book's pages load from node_modules/ into
# _vendor/, which _config.yml serves as html_static_path. Runs `npm ci` first when
# node_modules is missing. Only what a page requests is copied (the browser test
# tests/test_page_weight.py measures every page's requests and fails on a 404):
#
# - MathJax 3 as separate components (mathjax3_config.loader.load in _config.yml):
#   startup.js, core, the TeX input, the CommonHTML output with its font data and woff
#   fonts, the TeX extensions that \require or the autoloader may load on demand, and
#   a11y/assistive-mml (hidden MathML for screen readers). No MathJax context menu
#   (ui/menu, 426 kB), no speech rule engine (sre, 3.9 MB), no SVG output, no MathML input.
# - The Jupyter widgets HTML manager as its standalone bundle embed.js (ipywidgets'
#   base, controls and output models; the book uses no custom widget, so no require.js
#   and no 3.6 MB embed-amd.js), and the woff2 fonts its CSS asks for first
#   (no woff/eot/ttf/svg copies: every browser that runs embed.js reads woff2).
# - widgets-config.js: a MathJax 2 API shim for the widgets (see that file).
#
# Never copy these into a root _static/ folder: Jupyter Book 1.x would then inject every
# .js/.css file it finds into every page.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules/mathjax ] || [ ! -d node_modules/@jupyter-widgets/html-manager ]; then
  npm ci --ignore-scripts --no-audit --no-fund
fi
rm -rf _vendor && mkdir -p _vendor/widgets _vendor/mathjax
mj=node_modules/mathjax/es5
(cd "$mj" && cp --parents startup.js core.js input/tex.js output/chtml.js output/chtml/fonts/tex.js \
   a11y/assistive-mml.js "$OLDPWD/_vendor/mathjax/")
mkdir -p _vendor/mathjax/input/tex _vendor/mathjax/output/chtml/fonts
cp -r "$mj"/input/tex/extensions _vendor/mathjax/input/tex/
cp -r "$mj"/output/chtml/fonts/woff-v2 _vendor/mathjax/output/chtml/fonts/
hm=node_modules/@jupyter-widgets/html-manager/dist
cp "$hm"/embed.js "$hm"/embed.js.LICENSE.txt "$hm"/*.woff2 _vendor/widgets/
cp scripts/widgets-config.js _vendor/widgets/
echo "vendor_assets: _vendor/ ready ($(du -sh _vendor | cut -f1))"
