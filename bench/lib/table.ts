/**
 * Number formatting and a Markdown table builder for the benchmark report
 * (Markdown so the printed table can be pasted into `bench/RESULTS.md` as is).
 *
 * @module
 */

/** A rate with thousands separators and 3 significant digits below 1000. */
export function fmtRate(x: number): string {
  if (!Number.isFinite(x)) return "—";
  if (x >= 1000) return Math.round(x).toLocaleString("en-US");
  return x.toPrecision(3);
}

/** MB/s with 3 significant digits (or one decimal above 100). */
export function fmtMb(x: number): string {
  if (!Number.isFinite(x) || x === 0) return "—";
  return x >= 100 ? x.toFixed(0) : x.toPrecision(3);
}

/** A ratio such as `2.31×`. */
export function fmtRatio(x: number): string {
  return Number.isFinite(x) ? `${x.toFixed(2)}×` : "—";
}

/** Milliseconds with two decimals. */
export function fmtMs(x: number): string {
  return Number.isFinite(x) ? `${x.toFixed(2)} ms` : "—";
}

/** A byte count with its KiB equivalent. */
export function fmtBytes(n: number): string {
  return `${n.toLocaleString("en-US")} B (${(n / 1024).toFixed(1)} KiB)`;
}

/** `PASS` or `MISS`. */
export function verdict(ok: boolean): string {
  return ok ? "PASS" : "MISS";
}

/** Rows of a Markdown table; cells are escaped for `|`. */
export class MarkdownTable {
  readonly #header: string[];
  readonly #rows: string[][] = [];

  /** A table with these column titles. */
  constructor(header: string[]) {
    this.#header = header;
  }

  /** Adds a row (missing cells are left empty). */
  row(cells: string[]): void {
    this.#rows.push(this.#header.map((_, i) => cells[i] ?? ""));
  }

  /** Adds a section title row (bold first cell). */
  section(title: string): void {
    this.row([`**${title}**`]);
  }

  /** The table as Markdown with padded columns. */
  toString(): string {
    const esc = (s: string) => s.replaceAll("|", "\\|");
    const all = [this.#header, ...this.#rows].map((r) => r.map(esc));
    const widths = this.#header.map((_, i) => Math.max(3, ...all.map((r) => r[i].length)));
    const line = (r: string[]) => "| " + r.map((c, i) => c.padEnd(widths[i])).join(" | ") + " |";
    return [
      line(all[0]),
      "| " + widths.map((w) => "-".repeat(w)).join(" | ") + " |",
      ...all.slice(1).map(line),
    ].join("\n");
  }
}
