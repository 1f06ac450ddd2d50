// Cadreflow portal: a decision form shows (and the browser checks) only the chosen action's inputs.
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
  document.querySelectorAll("form[data-decision]").forEach(function (form) {
    var choices = form.querySelectorAll("[data-action-choice]");
    var comment = form.querySelector("#comment");
    var commentLabel = form.querySelector("[data-comment-label]");
    function sync() {
      var picked = form.querySelector("[data-action-choice]:checked");
      var name = picked ? picked.value : "";
      form.querySelectorAll("[data-action-inputs]").forEach(function (set) {
        var on = set.getAttribute("data-action-inputs") === name;
        set.disabled = !on;
        set.hidden = !on;
      });
      var needs = !!(picked && picked.hasAttribute("data-needs-comment"));
      if (comment) { comment.required = needs; }
      if (commentLabel) {
        commentLabel.textContent = commentLabel.getAttribute(needs ? "data-required-text" : "data-optional-text");
      }
    }
    choices.forEach(function (c) { c.addEventListener("change", sync); });
    if (choices.length) { sync(); }
  });
}());
