/* allocator — the page's own script (no inline script anywhere: CSP script-src 'self').
 *
 * 1. Every htmx request carries the session's CSRF token (X-CSRF-Token).
 * 2. The "json-form" extension sends a form as the JSON body the API takes. Field names are
 *    paths: "changes.quotas.0.set:int" -> {"changes": {"quotas": [{"set": 4}]}}; a
 *    suffix ":int", ":num" or ":bool" converts the value, "name[]" collects a list.
 * 3. Upload progress, the explanation panel, printing.
 */
(function () {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function convert(kind, value) {
    if (kind === "int") { return value === "" ? undefined : parseInt(value, 10); }
    if (kind === "num") { return value === "" ? undefined : parseFloat(value); }
    if (kind === "bool") { return value === "true" || value === "on" || value === "1"; }
    return value;
  }

  function put(target, path, value) {
    var node = target;
    for (var i = 0; i < path.length - 1; i++) {
      var key = path[i];
      if (node[key] === undefined) { node[key] = /^\d+$/.test(path[i + 1]) ? [] : {}; }
      node = node[key];
    }
    node[path[path.length - 1]] = value;
  }

  function toJson(entries) {
    var out = {};
    entries.forEach(function (pair) {
      var name = pair[0], value = pair[1];
      if (typeof value !== "string") { return; }
      var list = name.slice(-2) === "[]";
      if (list) { name = name.slice(0, -2); }
      var colon = name.lastIndexOf(":");
      var kind = colon > 0 ? name.slice(colon + 1) : "";
      if (colon > 0) { name = name.slice(0, colon); }
      var converted = convert(kind, value);
      if (converted === undefined) { return; }
      var path = name.split(".");
      if (list) {
        var holder = out;
        path.slice(0, -1).forEach(function (k) { holder[k] = holder[k] || {}; holder = holder[k]; });
        var last = path[path.length - 1];
        holder[last] = (holder[last] || []).concat([converted]);
      } else {
        put(out, path, converted);
      }
    });
    return out;
  }

  function entriesOf(parameters) {
    if (parameters && typeof parameters.entries === "function") {
      return Array.from(parameters.entries());
    }
    return Object.keys(parameters || {}).map(function (k) { return [k, parameters[k]]; });
  }

  if (window.htmx) {  // htmx.min.js runs first (both deferred, in order)
    window.htmx.defineExtension("json-form", {
      onEvent: function (name, evt) {
        if (name === "htmx:configRequest") {
          evt.detail.headers["Content-Type"] = "application/json";
        }
      },
      encodeParameters: function (xhr, parameters) {
        xhr.overrideMimeType("text/html");
        return JSON.stringify(toJson(entriesOf(parameters)));
      }
    });
  }

  document.addEventListener("htmx:configRequest", function (evt) {
    evt.detail.headers["X-CSRF-Token"] = csrfToken();
  });

  document.addEventListener("htmx:xhr:progress", function (evt) {
    var bar = document.getElementById("upload-progress");
    if (!bar || !evt.detail.lengthComputable || evt.target.id !== "upload-form") { return; }
    bar.hidden = false;
    bar.value = Math.round(100 * evt.detail.loaded / evt.detail.total);
  });

  document.addEventListener("htmx:xhr:loadend", function (evt) {
    var bar = document.getElementById("upload-progress");
    if (bar && evt.target.id === "upload-form") { bar.hidden = true; }
  });

  document.addEventListener("htmx:afterSwap", function (evt) {
    if (evt.target.id === "explain" && evt.target.firstElementChild) {
      evt.target.scrollIntoView({ block: "nearest" });
    }
    if (evt.target.id === "compare") {
      evt.target.scrollIntoView({ block: "start" });
    }
  });

  document.addEventListener("click", function (evt) {
    var el = evt.target.closest ? evt.target.closest("[data-clear],[data-print]") : null;
    if (!el) { return; }
    if (el.hasAttribute("data-print")) { window.print(); return; }
    var target = document.querySelector(el.getAttribute("data-clear"));
    if (target) { target.textContent = ""; }
  });
})();
