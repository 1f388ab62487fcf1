// The built-in lobby page (--api without --staticdir): live rooms, and a console to try one.

/** One self-contained page: no external assets, works offline. */
export const LOBBY_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>scalesocket lobby</title>
<style>
  body { font: 15px/1.4 system-ui, sans-serif; margin: 2rem auto; max-width: 52rem; padding: 0 1rem; }
  table { border-collapse: collapse; width: 100%; }
  th, td { text-align: left; padding: .3rem .6rem; border-bottom: 1px solid #ddd; vertical-align: top; }
  code, pre { font: 13px ui-monospace, monospace; }
  #console { display: none; margin-top: 1.5rem; }
  #log { border: 1px solid #ccc; height: 16rem; overflow-y: auto; padding: .4rem; white-space: pre-wrap; }
  form { display: flex; gap: .5rem; margin-top: .5rem; } #msg { flex: 1; }
  .muted { color: #777; }
</style>
</head>
<body>
<h1>Rooms</h1>
<p class="muted">Live rooms, refreshed every 2 seconds.</p>
<table>
  <thead><tr><th>Room</th><th id="nodehead" hidden>Node</th><th>Connections</th><th>Metadata</th><th></th></tr></thead>
  <tbody id="rooms"><tr><td colspan="4" class="muted">loading…</td></tr></tbody>
</table>
<form id="new"><input id="name" placeholder="room name" required><button>Open a room</button></form>
<section id="console">
  <h2>Console: <code id="current"></code></h2>
  <div id="log" aria-live="polite"></div>
  <form id="send"><input id="msg" placeholder="message" autocomplete="off"><button>Send</button>
  <button type="button" id="leave">Leave</button></form>
</section>
<script>
const $ = (id) => document.getElementById(id);
let ws = null;
function cell(text) { const td = document.createElement("td"); td.textContent = text; return td; }
async function refresh() {
  try {
    const rooms = await (await fetch("/api/rooms")).json();
    const body = $("rooms");
    body.replaceChildren();
    if (rooms.length === 0) {
      const tr = document.createElement("tr");
      const td = cell("no live rooms"); td.colSpan = 4; td.className = "muted";
      tr.append(td); body.append(tr);
    }
    // In a cluster every room names the node that owns it.
    const clustered = rooms.some((r) => r.node !== undefined);
    $("nodehead").hidden = !clustered;
    for (const r of rooms) {
      const tr = document.createElement("tr");
      tr.dataset.room = r.name;
      const meta = cell(r.metadata === null ? "" : JSON.stringify(r.metadata));
      const open = document.createElement("td");
      const b = document.createElement("button");
      b.textContent = "open"; b.onclick = () => join(r.name);
      open.append(b);
      tr.append(cell(r.name));
      if (clustered) tr.append(cell(r.node ?? ""));
      tr.append(cell(String(r.connections)), meta, open);
      body.append(tr);
    }
  } catch (e) { /* the server may be restarting: try again on the next tick */ }
}
function say(text) {
  const line = document.createElement("div");
  line.textContent = text;
  $("log").append(line);
  $("log").scrollTop = $("log").scrollHeight;
}
function join(name) {
  if (ws) ws.close();
  $("console").style.display = "block";
  $("current").textContent = name;
  $("log").replaceChildren();
  const proto = location.protocol === "https:" ? "wss:" : "ws:";
  ws = new WebSocket(proto + "//" + location.host + "/" + encodeURIComponent(name));
  ws.binaryType = "arraybuffer";
  ws.onopen = () => { say("[connected]"); refresh(); };
  ws.onmessage = (e) => say(typeof e.data === "string" ? e.data : "[" + e.data.byteLength + " bytes]");
  ws.onclose = (e) => { say("[closed " + e.code + (e.reason ? ": " + e.reason : "") + "]"); refresh(); };
}
$("new").onsubmit = (e) => { e.preventDefault(); join($("name").value); };
$("send").onsubmit = (e) => { e.preventDefault(); if (ws) ws.send($("msg").value); $("msg").value = ""; };
$("leave").onclick = () => { if (ws) ws.close(); };
refresh();
setInterval(refresh, 2000);
</script>
</body>
</html>
`;
