// Cadreflow role pages: an officials file is uploaded with a progress bar; the page the server answers replaces
// this one (without script the form posts as usual).
(function () {
  "use strict";
  var form = document.querySelector("form[data-upload]");
  if (!form || !window.XMLHttpRequest || !window.FormData) { return; }
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var bar = document.getElementById("upload-progress");
    var note = document.getElementById("upload-state");
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable && bar) { bar.value = Math.round(100 * e.loaded / e.total); }
    });
    xhr.addEventListener("load", function () {
      document.open(); document.write(xhr.responseText); document.close();
    });
    if (bar) { bar.hidden = false; bar.value = 0; }
    if (note) { note.textContent = note.getAttribute("data-text"); }
    xhr.send(new FormData(form));
  });
}());
