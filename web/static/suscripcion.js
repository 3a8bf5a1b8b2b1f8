/* One GraphQL subscription over the hub's WebSocket (graphql-transport-ws), shared by the
 * pages that stay live (seguimiento.js, estadisticas.js).
 *
 * `planasmunSubscribe({id, query, variables, onReady, onData, onClosed})` connects,
 * subscribes once the hub acknowledges (`onReady`), hands each answer's data to `onData`,
 * and when the connection drops calls `onClosed` and tries again, waiting longer each time
 * (up to a minute; it gives up only if the hub never acknowledged in that time).
 */
(function () {
  "use strict";

  window.planasmunSubscribe = function (options) {
    var wait = 1000;

    function connect() {
      var scheme = location.protocol === "https:" ? "wss:" : "ws:";
      var socket = new WebSocket(scheme + "//" + location.host + "/graphql", "graphql-transport-ws");
      var acknowledged = false;
      // The hub may send its JSON in binary frames: read them as UTF-8 text.
      socket.binaryType = "arraybuffer";
      var decoder = "TextDecoder" in window ? new TextDecoder("utf-8") : null;

      socket.onopen = function () {
        socket.send(JSON.stringify({ type: "connection_init", payload: {} }));
      };
      socket.onmessage = function (event) {
        var message;
        try {
          var text = typeof event.data === "string" ? event.data : decoder.decode(event.data);
          message = JSON.parse(text);
        } catch (e) {
          return;
        }
        if (message.type === "connection_ack") {
          acknowledged = true;
          wait = 1000;
          socket.send(
            JSON.stringify({
              id: options.id,
              type: "subscribe",
              payload: { query: options.query, variables: options.variables },
            })
          );
          if (options.onReady) {
            options.onReady();
          }
        } else if (message.type === "ping") {
          socket.send(JSON.stringify({ type: "pong" }));
        } else if (message.type === "next" && message.payload && message.payload.data) {
          options.onData(message.payload.data);
        }
      };
      socket.onclose = function () {
        if (options.onClosed) {
          options.onClosed();
        }
        if (acknowledged || wait < 60000) {
          setTimeout(connect, wait);
          wait = Math.min(wait * 2, 60000);
        }
      };
    }

    connect();
  };
})();
