"""What a browser test or the PDF printer waits for before it measures or prints a page of the
built book (used by scripts/build_pdf.py and tests/test_page_weight.py).

``READY_JS``, evaluated with Playwright's ``page.evaluate(READY_JS, limit_ms)``, resolves when
the page's math is typeset, its saved widgets drawn (waited for at most ``limit_ms``) and
every image loaded; it returns ``{load, ready, math, images}``: the times (ms since navigation
start) of the load event and of that moment, the number of typeset formulas and of images.
"""

READY_JS = """async (limit_ms) => {
  const nav = performance.getEntriesByType('navigation')[0];
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) await MathJax.startup.promise;
  if (document.querySelector('script[type="application/vnd.jupyter.widget-state+json"]')) {
    const t0 = performance.now();
    while (!document.querySelector('.cell_output .jupyter-widgets .widget-slider')
           && performance.now() - t0 < limit_ms)
      await new Promise(r => setTimeout(r, 20));
  }
  const imgs = Array.from(document.images);
  await Promise.all(imgs.map(i => i.complete ? null :
      new Promise(r => { i.onload = i.onerror = r; })));
  return {load: nav.loadEventStart, ready: performance.now(),
          math: document.querySelectorAll('mjx-container').length, images: imgs.length};
}"""
