// --devconsole: websocketd's developer console, a page that opens the socket at its own path.

/** One self-contained page: no external assets, works offline. */
export const DEVCONSOLE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>scalesocket console</title>
<style>
  body { font: 14px/1.4 ui-monospace, monospace; margin: 0; background: #111; color: #ddd; }
  header { padding: .6rem 1rem; background: #222; display: flex; gap: .5rem; align-items: center; }
  #url { flex: 1; font: inherit; padding: .3rem; }
  #log { padding: .6rem 1rem; white-space: pre-wrap; height: calc(100vh - 7rem); overflow-y: auto; }
  .in { color: #8cf; } .out { color: #cfc; } .sys { color: #888; }
  form { display: flex; gap: .5rem; padding: .6rem 1rem; background: #222; }
  #msg { flex: 1; font: inherit; padding: .3rem; }
</style>
</head>
<body>
<header>
  <label for="url">socket</label><input id="url">
  <button id="open">connect</button><button id="close" disabled>disconnect</button>
</header>
<div id="log" aria-live="polite"></div>
<form id="send"><input id="msg" placeholder="message to send" autocomplete="off" disabled>
<button id="go" disabled>send</button></form>
<script>
const $ = (id) => document.getElementById(id);
const proto = location.protocol === "https:" ? "wss:" : "ws:";
$("url").value = proto + "//" + location.host + location.pathname + location.search;
let ws = null;
function say(cls, text) {
  const line = document.createElement("div");
  line.className = cls;
  line.textContent = text;
  $("log").append(line);
  $("log").scrollTop = $("log").scrollHeight;
}
function connected(on) {
  $("open").disabled = on; $("close").disabled = !on; $("msg").disabled = !on; $("go").disabled = !on;
}
$("open").onclick = () => {
  ws = new WebSocket($("url").value);
  ws.binaryType = "arraybuffer";
  say("sys", "connecting to " + $("url").value);
  ws.onopen = () => { say("sys", "open"); connected(true); $("msg").focus(); };
  ws.onmessage = (e) => say("in", typeof e.data === "string" ? "< " + e.data : "< [" + e.data.byteLength + " bytes]");
  ws.onclose = (e) => { say("sys", "closed " + e.code + (e.reason ? " " + e.reason : "")); connected(false); };
};
$("close").onclick = () => ws && ws.close();
$("send").onsubmit = (e) => {
  e.preventDefault();
  if (!ws) return;
  ws.send($("msg").value);
  say("out", "> " + $("msg").value);
  $("msg").value = "";
};
</script>
</body>
</html>
`;
