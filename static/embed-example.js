// The host side of the postMessage API (see README "Embedding").
const frame = document.getElementById("playground");
const send = (message) => frame.contentWindow.postMessage({ type: "raft-playground", ...message }, "*");
document.getElementById("play").onclick = () => send({ command: "play" });
document.getElementById("pause").onclick = () => send({ command: "pause" });
document.getElementById("seek").onclick = () => send({ command: "seek", ms: 1000 });
document.getElementById("load").onclick = () => send({ command: "load", scenario: "network-partition" });
const log = document.getElementById("log");
window.addEventListener("message", (e) => {
  if (e.source !== frame.contentWindow || e.data?.type !== "raft-playground") return;
  const line = document.createElement("div");
  line.textContent = JSON.stringify(e.data); // text, never markup
  log.prepend(line);
});
