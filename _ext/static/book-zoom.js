// Every figure of the book opens at full size: a click on a figure's image shows it
// at its natural size (in pixels) on a layer over the page, scrollable when it is larger
// than the window; a click or Escape closes it. Images with a file of their own (the
// notebooks' figures) are also wrapped in a link to that file, so "open in a new tab" works;
// images drawn by a widget (data: URLs, which browsers do not open as a page) use the layer
// only. Added to every page by _ext/site_assets.py; tests/test_figures.py checks it.
(function () {
  // The figures: images of notebook outputs (widgets included) and of figure directives.
  var FIGURES = ["figure", ".cell_output", ".output", ".jupyter-widgets"].map(function (c) {
    return "article.bd-article " + c + " img";
  }).join(", ");
  var layer = null;

  function zoomable(img) {
    if (!img || img.tagName !== "IMG" || !img.matches(FIGURES)) return false;
    var a = img.closest("a");
    return !a || a.classList.contains("book-figure-link");
  }

  function close() {
    if (layer) { layer.remove(); layer = null; }
  }

  function open(img) {
    close();
    layer = document.createElement("div");
    layer.className = "book-zoom-layer";
    layer.setAttribute("role", "dialog");
    layer.setAttribute("aria-label", "Figure at full size");
    var note = document.createElement("p");
    note.className = "book-zoom-note";
    var w = img.naturalWidth, h = img.naturalHeight;
    note.textContent = "Full size, " + w + " \u00d7 " + h + " px. Click or press Escape to close.";
    var big = document.createElement("img");
    big.src = img.currentSrc || img.src;
    big.alt = img.alt || "";
    big.className = "book-zoom-image";
    big.style.width = w + "px";
    big.style.height = h + "px";
    layer.appendChild(note);
    layer.appendChild(big);
    layer.addEventListener("click", close);
    document.body.appendChild(layer);
  }

  function wrap() {
    document.querySelectorAll(FIGURES).forEach(function (img) {
      var src = img.getAttribute("src") || "";
      if (img.closest("a") || !src || src.indexOf("data:") === 0) return;
      var a = document.createElement("a");
      a.className = "book-figure-link";
      a.href = src;
      a.title = "Open the figure at full size";
      img.parentNode.insertBefore(a, img);
      a.appendChild(img);
    });
  }

  document.addEventListener("click", function (e) {
    if (e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey || e.altKey) return;  // new tab etc.
    var img = e.target.closest ? e.target.closest("img") : null;
    if (!zoomable(img) || layer && layer.contains(img)) return;
    e.preventDefault();
    open(img);
  });
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape") close();
  });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", wrap);
  else wrap();
})();
