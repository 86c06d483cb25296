// gongkai: the only script of the site (CSP script-src 'self'); the pages work without it.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  // Wide screens show the filters beside the results; browsers without ::details-content need them opened.
  var panel = document.getElementById("filter-panel");
  if (panel && window.matchMedia && window.matchMedia("(min-width: 48.01rem)").matches) { panel.open = true; }
  document.querySelectorAll("button[data-copy-target]").forEach(function (button) {
    button.addEventListener("click", function () {
      var target = document.getElementById(button.getAttribute("data-copy-target"));
      var status = button.parentElement.querySelector(".copy-status");
      if (!target) { return; }
      var done = function () { if (status) { status.textContent = "已复制"; } };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(target.value || target.textContent).then(done, function () {
          target.select(); document.execCommand("copy"); done();
        });
      } else {
        target.select(); document.execCommand("copy"); done();
      }
    });
  });
});
