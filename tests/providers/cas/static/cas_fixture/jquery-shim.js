/* The few jQuery calls of django-cas-server's templates (ready, click, is(":checked"),
   parent, hide), so that the pages run without a CDN. */
(function () {
  function wrap(nodes) {
    return {
      length: nodes.length,
      click: function (fn) {
        nodes.forEach(function (n) { n.addEventListener("click", fn); });
        return this;
      },
      is: function (query) {
        return query === ":checked" && nodes.some(function (n) { return n.checked; });
      },
      parent: function () {
        return wrap(nodes.map(function (n) { return n.parentNode; }).filter(Boolean));
      },
      hide: function () {
        nodes.forEach(function (n) { n.style.display = "none"; });
        return this;
      }
    };
  }
  function jQuery(arg) {
    if (typeof arg === "function") {
      if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", function () { arg(jQuery); });
      } else {
        arg(jQuery);
      }
      return undefined;
    }
    return wrap(Array.prototype.slice.call(document.querySelectorAll(arg)));
  }
  window.jQuery = window.$ = jQuery;
})();
