// Loaded between require.js and embed-amd.js (see nb_ipywidgets_js in _config.yml).
// 1. Points the widget manager's font requests at the vendored copies next to this file
//    (otherwise Font Awesome is requested from a 404 path relative to the page).
// 2. ipywidgets' embed code calls the MathJax 2 API (MathJax.Hub.Queue); Sphinx loads
//    MathJax 3, so provide a small Hub.Queue shim that typesets with MathJax 3.
(function () {
  var base = document.currentScript.src.replace(/\/[^\/]*$/, "");
  window.require.config({ paths: { "@jupyter-widgets/html-manager/dist": base } });
  document.addEventListener("DOMContentLoaded", function () {
    var mj = window.MathJax;
    if (mj && !mj.Hub) {
      mj.Hub = {
        Queue: function (job) {
          var el = job[2];
          var ready = mj.startup && mj.startup.promise ? mj.startup.promise : Promise.resolve();
          ready.then(function () { return mj.typesetPromise ? mj.typesetPromise([el]) : null; });
        }
      };
    }
  });
})();
