// Before printing (a reader's Ctrl+P, and scripts/build_pdf.py), shrink every display
// equation and table that is wider than its column so that print cuts nothing; restore
// the page afterwards. Added to every page by _ext/site_assets.py (see book-print.css).
(function () {
  var shrunk = [];
  function fit() {
    var items = document.querySelectorAll('mjx-container[display="true"], table');
    items.forEach(function (el) {
      var parent = el.parentElement;
      if (!parent) return;
      var room = parent.clientWidth;
      var need = el.scrollWidth;
      if (room > 0 && need > room + 1) {
        shrunk.push([el, el.style.fontSize]);
        var size = parseFloat(getComputedStyle(el).fontSize);
        el.style.fontSize = (size * room / need * 0.98).toFixed(2) + "px";
      }
    });
    return shrunk.length;
  }
  function restore() {
    shrunk.forEach(function (item) { item[0].style.fontSize = item[1]; });
    shrunk = [];
  }
  window.bookFitForPrint = fit;
  window.addEventListener("beforeprint", fit);
  window.addEventListener("afterprint", restore);
})();
