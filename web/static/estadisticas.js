/* Live figures on a local government's statistics page (/municipios/<id>/estadisticas).
 *
 * Without this script the page shows the figures counted when it was loaded, and says
 * so. With it, the page subscribes to `transactionFiguresChanged` through the hub's
 * GraphQL WebSocket (graphql-transport-ws), rewrites each cell of the table with the
 * figure's text (the hub words "menos de 5" itself), says when they were counted, and
 * announces the update in the page's polite live region. A service that was not in the
 * table when the page was loaded appears after a reload. If the connection drops, it
 * tries again, waiting longer each time.
 */
(function () {
  "use strict";

  var root = document.getElementById("estadisticas");
  if (!root || !("WebSocket" in window)) {
    return;
  }
  var municipality = root.getAttribute("data-municipio");
  var period = root.getAttribute("data-periodo");
  var language = root.getAttribute("data-idioma") || "ES";
  var liveText = root.getAttribute("data-en-vivo") || "{momento}";
  var asOf = document.getElementById("cifras-al");
  var refreshLink = document.getElementById("cifras-refrescar");
  var live = document.getElementById("cifras-anuncio");
  var announcement = live ? live.getAttribute("data-anuncio") || "{momento}" : "{momento}";
  var FIELDS = [
    "received",
    "open",
    "resolved",
    "rejected",
    "medianDaysToResolve",
    "percentResolvedOnTime",
  ];

  var row = " serviceId";
  for (var f = 0; f < FIELDS.length; f++) {
    row += " " + FIELDS[f] + " { text(language: $language) }";
  }
  var QUERY =
    "subscription WebFiguresLive($id: ID!, $period: FiguresPeriod!, $language: Language!) {" +
    " transactionFiguresChanged(municipalityId: $id, period: $period) {" +
    " asOf total {" + row + " } services {" + row + " } } }";

  var formatter;
  try {
    formatter = new Intl.DateTimeFormat(document.documentElement.lang || "es-DO", {
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

  function fill(figures, serviceId) {
    var line = root.querySelector('tr[data-servicio="' + (serviceId || "") + '"]');
    if (!line || !figures) {
      return;
    }
    for (var i = 0; i < FIELDS.length; i++) {
      var cell = line.querySelector('td[data-cifra="' + FIELDS[i] + '"] .figure');
      if (cell && figures[FIELDS[i]]) {
        cell.textContent = figures[FIELDS[i]].text;
      }
    }
  }

  var first = true;

  function show(figures) {
    if (!figures) {
      return;
    }
    fill(figures.total, "");
    var services = figures.services || [];
    for (var i = 0; i < services.length; i++) {
      if (services[i].serviceId) {
        fill(services[i], services[i].serviceId);
      }
    }
    var moment = when(figures.asOf);
    if (asOf) {
      asOf.textContent = liveText.replace("{momento}", moment);
    }
    if (refreshLink) {
      refreshLink.hidden = true;
    }
    // The first answer only confirms what the page shows: nothing to announce.
    if (live && !first) {
      live.textContent = announcement.replace("{momento}", moment);
    }
    first = false;
  }

  // suscripcion.js comes after this script (both deferred): subscribe once all have run.
  document.addEventListener("DOMContentLoaded", function () {
    window.planasmunSubscribe({
      id: "cifras",
      query: QUERY,
      variables: { id: municipality, period: period, language: language },
      onReady: function () {
        root.setAttribute("data-en-vivo-activo", "si");
      },
      onData: function (data) {
        show(data.transactionFiguresChanged);
      },
      onClosed: function () {
        root.removeAttribute("data-en-vivo-activo");
        if (refreshLink) {
          refreshLink.hidden = false;
        }
      },
    });
  });
})();
