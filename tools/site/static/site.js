// clipq_edu course site: phone menu and copy buttons. No network, no dependencies.
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState !== "loading") fn(); else document.addEventListener("DOMContentLoaded", fn);
  }
  ready(function () {
    var toggle = document.querySelector(".menu-toggle");
    if (toggle) {
      toggle.addEventListener("click", function () {
        var open = document.body.classList.toggle("menu-open");
        toggle.setAttribute("aria-expanded", open ? "true" : "false");
      });
    }
    // "/" jumps to the search box, as on many documentation sites.
    document.addEventListener("keydown", function (event) {
      var active = document.activeElement;
      if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
      if (active && /^(INPUT|TEXTAREA|SELECT)$/.test(active.tagName)) return;
      var search = document.getElementById("search-input");
      if (search) { event.preventDefault(); search.focus(); }
    });
    // On narrow screens the table of contents starts folded.
    var toc = document.querySelector(".toc-box");
    if (toc && window.matchMedia("(max-width: 1200px)").matches) toc.removeAttribute("open");

    document.querySelectorAll("button.copy").forEach(function (button) {
      button.addEventListener("click", function () {
        var code = button.parentElement.querySelector("pre code");
        var text = code ? code.textContent : "";
        function done(ok) {
          button.textContent = ok ? "Copied" : "Select and copy";
          button.classList.toggle("done", ok);
          setTimeout(function () { button.textContent = "Copy"; button.classList.remove("done"); }, 1600);
        }
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(text).then(function () { done(true); }, function () { done(fallback(text)); });
        } else {
          done(fallback(text));
        }
      });
    });
  });
  // file:// pages are not a secure context everywhere: copy through a hidden text area.
  function fallback(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    document.body.removeChild(area);
    return ok;
  }
})();
