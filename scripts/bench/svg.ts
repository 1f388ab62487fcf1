// The plot: delivered messages per second against K (log scale), one panel per scenario, one
// line per peer. Plain SVG text, no dependencies.
import { LABELS, type PeerId } from "./peers.ts";
import type { Row } from "./run.ts";

const STYLE: Record<PeerId, { color: string; dash: string }> = {
  "bare-http": { color: "#000000", dash: "" },
  "bare": { color: "#9a9a9a", dash: "6 4" },
  "bare-cork": { color: "#4d4d4d", dash: "6 4" },
  "bare-frame": { color: "#000000", dash: "2 3" },
  "bare-pipe": { color: "#8c564b", dash: "6 4" },
  "bare-pipe-deno": { color: "#8c564b", dash: "2 3" },
  "websocketd": { color: "#d62728", dash: "" },
  "node": { color: "#1f77b4", dash: "" },
  "deno": { color: "#2ca02c", dash: "" },
  "cluster-direct": { color: "#9467bd", dash: "" },
  "cluster-relayed": { color: "#9467bd", dash: "6 4" },
  "cluster-proxied": { color: "#9467bd", dash: "2 3" },
  "cluster-deno-direct": { color: "#8c564b", dash: "" },
  "cluster-deno-relayed": { color: "#8c564b", dash: "6 4" },
};

const PANEL_W = 420;
const PANEL_H = 300;
const M = { left: 64, right: 36, top: 40, bottom: 44 };
/** Left out: the load probe's line would flatten the others against the axis. */
const HIDDEN: PeerId[] = ["bare-frame", "bare-http"];

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;");

/** 1234567 → "1.2M". */
export function si(v: number): string {
  if (v >= 1e6) return `${+(v / 1e6).toFixed(1)}M`;
  if (v >= 1e3) return `${+(v / 1e3).toFixed(1)}k`;
  return `${+v.toFixed(1)}`;
}

function niceStep(max: number): number {
  const raw = max / 5;
  const mag = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
}

function panel(title: string, rows: Row[], dx: number): string {
  const ok = rows.filter((r) =>
    Number.isFinite(r.value) && r.x !== undefined && !HIDDEN.includes(r.peer)
  );
  const xs = [...new Set(ok.map((r) => r.x!))].sort((a, b) => a - b);
  const out: string[] = [`<g transform="translate(${dx},0)">`];
  out.push(
    `<text x="${PANEL_W / 2}" y="20" text-anchor="middle" font-weight="bold">${esc(title)}</text>`,
  );
  if (xs.length === 0) return out.concat(`<text x="40" y="80">no data</text>`, "</g>").join("\n");
  const w = PANEL_W - M.left - M.right;
  const h = PANEL_H - M.top - M.bottom;
  const lx = xs.map(Math.log10);
  const [x0, x1] = lx.length > 1 ? [lx[0], lx[lx.length - 1]] : [lx[0] - 1, lx[0] + 1];
  const px = (x: number) => M.left + ((Math.log10(x) - x0) / (x1 - x0)) * w;
  const step = niceStep(Math.max(...ok.map((r) => r.value)));
  const top = Math.ceil(Math.max(...ok.map((r) => r.value)) / step) * step;
  const py = (y: number) => M.top + h - (y / top) * h;
  for (let y = 0; y <= top + step / 2; y += step) {
    out.push(
      `<line x1="${M.left}" x2="${M.left + w}" y1="${py(y)}" y2="${py(y)}" stroke="#e5e5e5"/>`,
      `<text x="${M.left - 6}" y="${py(y) + 4}" text-anchor="end">${si(y)}</text>`,
    );
  }
  for (const x of xs) {
    out.push(`<text x="${px(x)}" y="${M.top + h + 18}" text-anchor="middle">K=${x}</text>`);
  }
  out.push(
    `<line x1="${M.left}" x2="${M.left}" y1="${M.top}" y2="${M.top + h}" stroke="#333"/>`,
    `<line x1="${M.left}" x2="${M.left + w}" y1="${M.top + h}" y2="${M.top + h}" stroke="#333"/>`,
    `<text x="14" y="${M.top + h / 2}" transform="rotate(-90 14 ${M.top + h / 2})" ` +
      `text-anchor="middle">messages delivered / s</text>`,
  );
  for (const peer of Object.keys(STYLE) as PeerId[]) {
    const pts = ok.filter((r) => r.peer === peer).sort((a, b) => a.x! - b.x!);
    if (pts.length === 0) continue;
    const { color, dash } = STYLE[peer];
    const d = pts.map((r) => `${px(r.x!).toFixed(1)},${py(r.value).toFixed(1)}`).join(" ");
    out.push(
      `<polyline points="${d}" fill="none" stroke="${color}" stroke-width="2"` +
        (dash ? ` stroke-dasharray="${dash}"/>` : "/>"),
    );
    for (const r of pts) {
      out.push(`<circle cx="${px(r.x!)}" cy="${py(r.value)}" r="3.5" fill="${color}"/>`);
    }
  }
  return out.concat("</g>").join("\n");
}

export function plot(rows: Row[]): string {
  const panels: [string, string][] = [
    ["fan-out", "fan-out: one room, child prints N lines"],
    ["chat", "chat: K clients sending, cat echoes"],
  ];
  const peers = (Object.keys(STYLE) as PeerId[]).filter((p) =>
    !HIDDEN.includes(p) && rows.some((r) => r.peer === p && panels.some(([s]) => s === r.scenario))
  );
  const width = PANEL_W * panels.length;
  const height = PANEL_H + 40;
  let x = 20;
  const legend = peers.map((p) => {
    const at = x;
    x += 54 + LABELS[p].length * 7;
    const { color, dash } = STYLE[p];
    return `<line x1="${at}" x2="${at + 28}" y1="${PANEL_H + 16}" y2="${PANEL_H + 16}" ` +
      `stroke="${color}" stroke-width="2"${dash ? ` stroke-dasharray="${dash}"` : ""}/>` +
      `<text x="${at + 34}" y="${PANEL_H + 20}">${esc(LABELS[p])}</text>`;
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" ` +
    `viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    ...panels.map(([s, title], i) =>
      panel(title, rows.filter((r) => r.scenario === s), i * PANEL_W)
    ),
    ...legend,
    "</svg>",
    "",
  ].join("\n");
}
