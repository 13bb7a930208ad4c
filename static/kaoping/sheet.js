// Progressive enhancement of the ballot sheet: every change is saved at once as a draft. The page
// works without this script (each button posts the form). Unsent changes are kept in localStorage,
// so a lost connection or a closed tab loses nothing already entered.
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave]");
  if (!form || !window.fetch) return;
  var script = document.currentScript || document.querySelector("script[data-saved]");
  var status = document.getElementById("save-status");
  var key = "kaoping:" + form.getAttribute("action");
  var timer = null;

  function say(text) { if (status) status.textContent = text; }

  function fields() {
    var data = {};
    new FormData(form).forEach(function (value, name) {
      if (name !== "csrfmiddlewaretoken" && name !== "go") data[name] = value;
    });
    return data;
  }

  function send() {
    var pending = localStorage.getItem(key);
    if (!pending) return;
    var body = new URLSearchParams(JSON.parse(pending));
    body.append("csrfmiddlewaretoken", form.querySelector("[name=csrfmiddlewaretoken]").value);
    say(script.dataset.saving);
    fetch(form.getAttribute("action"), {
      method: "POST", body: body, credentials: "same-origin", headers: { "X-Autosave": "1" }
    }).then(function (response) {
      return response.json().then(function (json) {
        if (json.saved) {
          if (localStorage.getItem(key) === pending) localStorage.removeItem(key);
          say(script.dataset.saved);
        } else {
          localStorage.removeItem(key);
          say(json.error || "");
        }
      });
    }).catch(function () { say(script.dataset.offline); });
  }

  // Restore what was entered but never reached the server (e.g. the tab closed while offline).
  var saved = localStorage.getItem(key);
  if (saved) {
    var data = JSON.parse(saved);
    Object.keys(data).forEach(function (name) {
      var inputs = form.querySelectorAll("[name='" + name + "']");
      inputs.forEach(function (input) {
        if (input.type === "radio") input.checked = input.value === data[name];
        else input.value = data[name];
      });
    });
    send();
  }

  form.addEventListener("change", function () {
    localStorage.setItem(key, JSON.stringify(fields()));
    send();
  });
  form.addEventListener("input", function (event) {
    if (event.target.tagName !== "TEXTAREA") return;
    localStorage.setItem(key, JSON.stringify(fields()));
    clearTimeout(timer);
    timer = setTimeout(send, 800);
  });
  window.addEventListener("online", send);
})();
