// Just enough of source maps (v3) to say where in the sources a minified position came from.

export interface Origin {
  source: string;
  /** 1-based, as editors count. */
  line: number;
  column: number;
  /** The original identifier, when the map has one there. */
  name: string | null;
  /** That line of the original source, when the map carries the source text. */
  text: string | null;
}

interface RawMap {
  sources: string[];
  sourcesContent?: (string | null)[];
  names: string[];
  mappings: string;
}

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const DIGIT = new Map([...B64].map((c, i) => [c, i]));

/** Base64 VLQ numbers of one segment. */
function decodeSegment(seg: string): number[] {
  const out: number[] = [];
  let value = 0;
  let shift = 0;
  for (const ch of seg) {
    const d = DIGIT.get(ch) ?? 0;
    value += (d & 31) * 2 ** shift;
    if (d & 32) {
      shift += 5;
      continue;
    }
    out.push(value % 2 === 1 ? -Math.floor(value / 2) : value / 2);
    value = 0;
    shift = 0;
  }
  return out;
}

export class SourceMap {
  /** Per generated line: segments [column, source, line, column, name?], absolute, sorted. */
  private readonly lines: number[][][] = [];
  private readonly texts = new Map<number, string[]>();

  constructor(private readonly raw: RawMap) {
    let src = 0, line = 0, col = 0, name = 0;
    for (const text of raw.mappings.split(";")) {
      const segs: number[][] = [];
      let gen = 0;
      for (const s of text.split(",")) {
        if (s === "") continue;
        const v = decodeSegment(s);
        gen += v[0];
        if (v.length < 4) continue;
        src += v[1];
        line += v[2];
        col += v[3];
        if (v.length >= 5) name += v[4];
        segs.push(v.length >= 5 ? [gen, src, line, col, name] : [gen, src, line, col]);
      }
      this.lines.push(segs);
    }
  }

  /** The origin of a 0-based generated line and column; null when unmapped. */
  lookup(line: number, column: number): Origin | null {
    const segs = this.lines[line];
    if (!segs || segs.length === 0) return null;
    let lo = 0, hi = segs.length - 1, best = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (segs[mid][0] <= column) (best = mid, lo = mid + 1);
      else hi = mid - 1;
    }
    if (best < 0) return null;
    const [, src, l, c, n] = segs[best];
    return {
      source: this.raw.sources[src],
      line: l + 1,
      column: c + 1,
      name: n === undefined ? null : this.raw.names[n],
      text: this.sourceLine(src, l),
    };
  }

  private sourceLine(src: number, line: number): string | null {
    let lines = this.texts.get(src);
    if (!lines) {
      lines = (this.raw.sourcesContent?.[src] ?? "").split("\n");
      this.texts.set(src, lines);
    }
    return lines[line]?.trim() ?? null;
  }
}
