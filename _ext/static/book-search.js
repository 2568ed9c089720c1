/* The book's search results read their mathematics as text.
 *
 * Sphinx's search page (searchtools.js) shows, under each result, an excerpt of the page's
 * text, and section titles as results. Both carry the TeX source of the math on the page
 * ("\(\lambda_{\min}(\nabla^2 h)\)", "The weight \mu, ..."): the search page does not load
 * MathJax, and an excerpt can cut a formula anywhere. This script, loaded on search.html
 * only (_ext/site_assets.py), turns that TeX into plain text ("λ_min(∇²h)"):
 *
 * - the excerpts: Search.htmlToText (which searchtools.js uses to read a fetched page) is
 *   wrapped so that the page's math elements (.math, MathJax's source spans) have their
 *   TeX replaced before the text is taken, and code keeps its backslashes;
 * - the result titles: every link added to #search-results is converted.
 *
 * bookTexToText is exported on window for the browser test (tests/test_search.py).
 */
(function () {
  "use strict";
  const SYMBOLS = {
    alpha: "α", beta: "β", gamma: "γ", delta: "δ", epsilon: "ε", varepsilon: "ε", zeta: "ζ",
    eta: "η", theta: "θ", kappa: "κ", lambda: "λ", mu: "μ", nu: "ν", xi: "ξ", pi: "π",
    rho: "ρ", sigma: "σ", tau: "τ", phi: "φ", varphi: "φ", chi: "χ", psi: "ψ", omega: "ω",
    Gamma: "Γ", Delta: "Δ", Theta: "Θ", Lambda: "Λ", Xi: "Ξ", Pi: "Π", Sigma: "Σ", Phi: "Φ",
    Psi: "Ψ", Omega: "Ω", nabla: "∇", partial: "∂", infty: "∞", le: "≤", leq: "≤", ge: "≥",
    geq: "≥", ne: "≠", neq: "≠", lt: "<", gt: ">", approx: "≈", sim: "∼", simeq: "≃",
    equiv: "≡", in: "∈", notin: "∉", subset: "⊂", subseteq: "⊆", cup: "∪", cap: "∩",
    times: "×", cdot: "·", cdots: "⋯", ldots: "…", dots: "…", pm: "±", mp: "∓", to: "→",
    rightarrow: "→", Rightarrow: "⇒", iff: "⇔", mapsto: "↦", top: "ᵀ", star: "⋆",
    circ: "∘", langle: "⟨", rangle: "⟩", lVert: "‖", rVert: "‖", Vert: "‖", lvert: "|",
    rvert: "|", mid: "|", sum: "∑", prod: "∏", forall: "∀", exists: "∃", emptyset: "∅",
    setminus: "∖", ell: "ℓ", dagger: "†", prime: "′", quad: " ", qquad: " ", left: "",
    right: "", big: "", Big: "", bigl: "", bigr: "", Bigl: "", Bigr: "", displaystyle: "",
    textstyle: "", limits: "", nolimits: "", tag: "", nonumber: "", notag: "",
  };
  const FONTS = { R: "ℝ", N: "ℕ", Z: "ℤ", Q: "ℚ", C: "ℂ", E: "𝔼" };
  const SUPERSCRIPTS = { "2": "²", "3": "³", "-1": "⁻¹", T: "ᵀ", "\\top": "ᵀ", "*": "*" };

  function texToText(tex) {
    let s = String(tex);
    s = s.replace(/\\[()[\]]|\$/g, " ");                                 // delimiters
    s = s.replace(/\\(begin|end)\{[^}]*\}(\{[^}]*\})?/g, " ");           // environments
    s = s.replace(/\\\\|&/g, " ").replace(/\\[,;:! ]/g, " ");           // breaks, spacing
    s = s.replace(/\\mathbb\{(\w)\}/g, (m, c) => FONTS[c] || c);
    s = s.replace(/\\(?:mathcal|mathrm|mathbf|mathit|mathsf|boldsymbol|operatorname|text|textrm|textit|textbf|mbox)\{([^{}]*)\}/g, "$1");
    s = s.replace(/\\[dt]?frac\{([^{}]*)\}\{([^{}]*)\}/g, "($1)/($2)")
         .replace(/\\[dt]?frac(\d)(\d)/g, "$1/$2");
    s = s.replace(/\\sqrt\{([^{}]*)\}/g, "√($1)").replace(/\\sqrt/g, "√");
    s = s.replace(/\^\{([^{}]*)\}|\^(\\top|[\w*])/g, (m, a, b) => {
      const k = a !== undefined ? a.trim() : b;
      return SUPERSCRIPTS[k] !== undefined ? SUPERSCRIPTS[k] : "^" + (k.length > 1 ? "(" + k + ")" : k);
    });
    s = s.replace(/\\([A-Za-z]+)/g, (m, name) => (name in SYMBOLS ? SYMBOLS[name] : name));
    s = s.replace(/\\([{}|_%#$&])/g, (m, c) => ({ "{": "\u0001", "}": "\u0002", "|": "‖" }[c] || c));
    s = s.replace(/[{}]/g, "").replace(/\u0001/g, "{").replace(/\u0002/g, "}");
    s = s.replace(/\(([^()\s])\)\/\(([^()\s])\)/gu, "$1/$2");            // (μ)/(4) -> μ/4
    return s.replace(/\s+/g, " ").replace(/\(\s+/g, "(").replace(/\s+([),.;])/g, "$1").trim();
  }
  window.bookTexToText = texToText;

  function looksLikeTex(text) {
    return /\\[A-Za-z()[\]{}|,;]|\$/.test(text);
  }

  function install() {
    if (typeof Search === "undefined" || Search.__bookMath) return;
    const htmlToText = Search.htmlToText;
    Search.htmlToText = function (htmlString, anchor) {
      const doc = new DOMParser().parseFromString(htmlString, "text/html");
      doc.querySelectorAll(".math, mjx-container, script[type^='math/tex']").forEach((el) => {
        el.textContent = texToText(el.textContent);
      });
      return htmlToText.call(this, doc.documentElement.outerHTML, anchor);
    };
    Search.__bookMath = true;
    const results = document.getElementById("search-results") || document.body;
    const fix = (root) => {
      root.querySelectorAll("a").forEach((a) => {
        if (looksLikeTex(a.textContent)) a.textContent = texToText(a.textContent);
      });
    };
    new MutationObserver((records) => {
      for (const r of records) r.addedNodes.forEach((n) => n.nodeType === 1 && fix(n.parentNode || n));
    }).observe(results, { childList: true, subtree: true });
    fix(results);
  }

  install();
  document.addEventListener("DOMContentLoaded", install);
})();
