// In the library reference (elements of class library-reference), shrink every display
// equation that is wider than its column so that it fits (MathJax 3 does not break lines);
// again after a resize. Added to every page by _ext/site_assets.py; does nothing elsewhere.
(function () {
  function fit() {
    document.querySelectorAll('.library-reference mjx-container[display="true"]').forEach(function (el) {
      el.style.fontSize = "";
      var room = el.parentElement ? el.parentElement.clientWidth : 0;
      var need = el.scrollWidth;
      if (room > 0 && need > room + 1) {
        var size = parseFloat(getComputedStyle(el).fontSize);
        el.style.fontSize = (size * room / need * 0.98).toFixed(2) + "px";
      }
    });
  }
  function start() {
    if (!document.querySelector(".library-reference")) return;
    var mj = window.MathJax;
    var ready = mj && mj.startup && mj.startup.promise ? mj.startup.promise : Promise.resolve();
    ready.then(fit);
    var timer = null;
    window.addEventListener("resize", function () {
      clearTimeout(timer);
      timer = setTimeout(fit, 100);
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
