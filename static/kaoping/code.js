// The slip's QR code leads to /b/#CODE: what follows '#' never leaves the browser, so no server or proxy log
// holds the code. This takes it from the address, clears it from the address bar and the history entry, and
// posts it to exchange it for the ballot. Without JavaScript the code is typed into the same form.
(function () {
  "use strict";
  var code = window.location.hash.replace(/^#/, "");
  if (!code) return;
  if (window.history && window.history.replaceState) {
    window.history.replaceState(null, "", window.location.pathname + window.location.search);
  }
  var form = document.querySelector("form[data-code-entry]");
  if (!form) return;
  try { code = decodeURIComponent(code); } catch (e) { /* keep it as it was */ }
  form.querySelector("[name=code]").value = code;
  var opening = document.getElementById("code-opening");
  if (opening) opening.hidden = false;
  form.submit();
})();
