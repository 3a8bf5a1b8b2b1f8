/* Live status on the tracking page (/seguimiento/<number>).
 *
 * Without this script the page shows the status as it was when loaded, with a link to
 * refresh it. With it, the page subscribes to `requestStatusChanged` through the hub's
 * GraphQL WebSocket (graphql-transport-ws), updates the status, the date and the history,
 * and announces the change in the page's polite live region. Only public fields are
 * asked for. If the connection drops, it tries again, waiting longer each time.
 */
(function () {
  "use strict";

  var root = document.getElementById("seguimiento");
  if (!root || !("WebSocket" in window)) {
    return;
  }
  var number = root.getAttribute("data-numero");
  var labels = JSON.parse(root.getAttribute("data-etiquetas") || "{}");
  var explanations = JSON.parse(root.getAttribute("data-explicaciones") || "{}");
  var announcement = root.getAttribute("data-anuncio") || "{estado}";
  var lang = document.documentElement.lang || "es-DO";
  var dataLang = "es-DO";
  var status = document.getElementById("estado-actual");
  var explanation = document.getElementById("estado-explicacion");
  var updated = document.getElementById("estado-actualizado");
  var history = document.getElementById("estado-historial");
  var live = document.getElementById("estado-anuncio");
  var current = status ? status.className.replace(/^.*status-tag--/, "").toUpperCase() : "";

  var QUERY =
    "subscription WebTrackingLive($number: String!) {" +
    " requestStatusChanged(trackingNumber: $number) {" +
    " trackingNumber status updatedAt history { status at note } } }";

  var formatter;
  try {
    formatter = new Intl.DateTimeFormat(lang, {
      dateStyle: "long",
      timeStyle: "short",
      timeZone: "America/Santo_Domingo",
    });
  } catch (e) {
    formatter = null;
  }

  function when(value) {
    var date = new Date(value);
    if (isNaN(date.getTime())) {
      return value;
    }
    return formatter ? formatter.format(date) : date.toLocaleString();
  }

  function tag(value) {
    var strong = document.createElement("strong");
    strong.className = "status-tag status-tag--" + value.toLowerCase();
    strong.textContent = labels[value] || value;
    return strong;
  }

  function timeElement(value) {
    var time = document.createElement("time");
    time.setAttribute("datetime", value);
    time.textContent = when(value);
    return time;
  }

  function showHistory(changes) {
    if (!history) {
      return;
    }
    while (history.firstChild) {
      history.removeChild(history.firstChild);
    }
    for (var i = changes.length - 1; i >= 0; i--) {
      var change = changes[i];
      var item = document.createElement("li");
      item.className = "history__item";
      item.appendChild(tag(change.status));
      item.appendChild(document.createTextNode(" "));
      item.appendChild(timeElement(change.at));
      if (change.note) {
        var note = document.createElement("p");
        note.className = "history__note";
        if (lang.toLowerCase().indexOf("es") !== 0) {
          note.setAttribute("lang", dataLang);
        }
        note.textContent = change.note;
        item.appendChild(note);
      }
      history.appendChild(item);
    }
  }

  function show(request) {
    if (!request || request.trackingNumber !== number) {
      return;
    }
    if (status) {
      status.className = "status-tag status-tag--" + request.status.toLowerCase();
      status.textContent = labels[request.status] || request.status;
    }
    if (updated && request.updatedAt) {
      updated.setAttribute("datetime", request.updatedAt);
      updated.textContent = when(request.updatedAt);
    }
    if (explanation) {
      explanation.textContent = explanations[request.status] || "";
    }
    showHistory(request.history || []);
    if (live && request.status !== current) {
      live.textContent = announcement.replace("{estado}", labels[request.status] || request.status);
    }
    current = request.status;
  }

  // What changed between loading the page and subscribing: asked once, over HTTP.
  function refresh() {
    if (!window.fetch) {
      return;
    }
    var query =
      "query WebTrackingNow($number: String!) { serviceRequest(trackingNumber: $number) {" +
      " trackingNumber status updatedAt history { status at note } } }";
    fetch("/graphql", {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      credentials: "same-origin",
      body: JSON.stringify({ query: query, variables: { number: number } }),
    })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (body) {
        if (body && body.data) {
          show(body.data.serviceRequest);
        }
      })
      .catch(function () {});
  }

  // suscripcion.js comes after this script (both deferred): subscribe once all have run.
  document.addEventListener("DOMContentLoaded", function () {
    window.planasmunSubscribe({
      id: "estado",
      query: QUERY,
      variables: { number: number },
      onReady: function () {
        root.setAttribute("data-en-vivo", "si");
        refresh();
      },
      onData: function (data) {
        show(data.requestStatusChanged);
      },
      onClosed: function () {
        root.removeAttribute("data-en-vivo");
      },
    });
  });
})();
