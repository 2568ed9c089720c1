// Loaded just before the widgets' embed.js (see nb_ipywidgets_js in _config.yml).
// ipywidgets' embed code calls the MathJax 2 API (MathJax.Hub.Queue) to typeset widget
// labels; Sphinx loads MathJax 3, so provide a small Hub.Queue shim that typesets with
// MathJax 3. (embed.js finds its fonts next to itself: no path configuration needed.)
(function () {
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
