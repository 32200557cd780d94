// Duplicate warning in the claim form: while the editor types the claim text, ask the
// admin's JSON endpoint for existing claims that look like the same statement.
(function () {
  "use strict";

  function init() {
    var panel = document.getElementById("similar-claims");
    var input = document.getElementById("id_text");
    if (!panel || !input) {
      return;
    }
    var list = panel.querySelector(".similar-claims-list");
    var timer = null;
    var last = list.children.length ? input.value.trim() : "";
    var pending = null;

    function render(results) {
      list.textContent = "";
      results.forEach(function (item) {
        var li = document.createElement("li");
        var link = document.createElement("a");
        link.href = item.url;
        link.textContent = item.text;
        li.appendChild(link);
        var meta = document.createElement("span");
        meta.className = "similar-meta";
        meta.textContent = " (" + item.score + " %, " + item.status + (item.rating ? ", " + item.rating : "") + ")";
        li.appendChild(meta);
        if (item.duplicate_url) {
          var mark = document.createElement("a");
          mark.className = "similar-duplicate";
          mark.href = item.duplicate_url;
          mark.textContent = panel.dataset.duplicateLabel;
          li.appendChild(document.createTextNode(" "));
          li.appendChild(mark);
        }
        list.appendChild(li);
      });
      panel.classList.toggle("has-results", results.length > 0);
    }

    function refresh() {
      var text = input.value.trim();
      if (text === last) {
        return;
      }
      last = text;
      if (text.length < 8) {
        render([]);
        return;
      }
      if (pending) {
        pending.abort();
      }
      pending = new AbortController();
      var query = new URLSearchParams({ text: text, exclude: panel.dataset.exclude });
      fetch(panel.dataset.url + "?" + query.toString(), {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
        signal: pending.signal,
      })
        .then(function (response) {
          return response.ok ? response.json() : { results: [] };
        })
        .then(function (data) {
          render(data.results || []);
        })
        .catch(function () {});
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(refresh, 300);
    });
    refresh();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
