/**
 * Round-robin throughput measurement for one process on a noisy machine:
 * every contender is calibrated and warmed up, then each round times every
 * contender once (in a rotating order), and the median rate over the rounds
 * is reported. Ratios taken from the same rounds share the same noise.
 *
 * @module
 */

/** One implementation under test. */
export interface Contender {
  /** Row label. */
  name: string;
  /** Called (untimed) before each timed batch, e.g. to select a backend. */
  setup?: () => void;
  /** One unit of work. When `async` is true its promise is awaited before the next call. */
  run: () => unknown;
  /** True for asynchronous work (WebCrypto): calls are awaited one after another. */
  async?: boolean;
  /** How many items (envelopes, messages, documents) one `run()` handles. */
  items: number;
  /** How many payload bytes one `run()` handles (for MB/s); 0 when not meaningful. */
  bytes: number;
}

/** Timing options. */
export interface MeasureOptions {
  /** Timed rounds per contender (the median is reported). */
  rounds: number;
  /** Target duration of one timed batch, in milliseconds. */
  batchMs: number;
  /** Untimed warm-up per contender before the first round, in milliseconds. */
  warmupMs: number;
}

/** Median and spread of one contender's rates. */
export interface Measurement {
  /** Row label. */
  name: string;
  /** Median items per second. */
  itemsPerSec: number;
  /** Median payload MB (10^6 bytes) per second. */
  mbPerSec: number;
  /** (max − min) / median of the per-round item rates. */
  spread: number;
  /** Item rate of every round, in round order. */
  samples: number[];
}

/** Median of a non-empty list. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function summarize(c: Contender, samples: number[]): Measurement {
  const itemsPerSec = median(samples);
  const spread = (Math.max(...samples) - Math.min(...samples)) / itemsPerSec;
  return {
    name: c.name,
    itemsPerSec,
    mbPerSec: itemsPerSec * (c.bytes / c.items) / 1e6,
    spread,
    samples,
  };
}

/** Runs a synchronous `run` `k` times and returns the elapsed milliseconds. */
function timeSync(c: Contender, k: number): number {
  c.setup?.();
  const run = c.run;
  const t0 = performance.now();
  for (let i = 0; i < k; i++) run();
  return performance.now() - t0;
}

/** Runs an asynchronous `run` `k` times, awaiting each call, and returns the elapsed ms. */
async function timeAsync(c: Contender, k: number): Promise<number> {
  c.setup?.();
  const run = c.run;
  const t0 = performance.now();
  for (let i = 0; i < k; i++) await run();
  return performance.now() - t0;
}

function timeBatch(c: Contender, k: number): number | Promise<number> {
  return c.async ? timeAsync(c, k) : timeSync(c, k);
}

/** Iterations per batch so that one batch lasts about `batchMs` (at least 1). */
function calibrate(elapsedMs: number, k: number, batchMs: number): number {
  return Math.max(1, Math.round(k * batchMs / Math.max(elapsedMs, 1e-3)));
}

/**
 * Measures contenders round-robin and returns one {@link Measurement} per
 * contender, in input order. Synchronous contenders are timed in a plain
 * loop; asynchronous ones with awaited sequential calls.
 */
export async function measure(
  contenders: readonly Contender[],
  opts: MeasureOptions,
): Promise<Measurement[]> {
  const iters: number[] = [];
  for (const c of contenders) {
    // Warm up (lets the JIT settle) while finding the batch size.
    let k = 1;
    let elapsed = await timeBatch(c, k);
    let spent = elapsed;
    while (spent < opts.warmupMs) {
      k = calibrate(elapsed, k, Math.min(opts.batchMs, opts.warmupMs - spent + 1));
      elapsed = await timeBatch(c, k);
      spent += elapsed;
    }
    iters.push(calibrate(elapsed, k, opts.batchMs));
  }
  const samples: number[][] = contenders.map(() => []);
  for (let r = 0; r < opts.rounds; r++) {
    for (let j = 0; j < contenders.length; j++) {
      const i = (j + r) % contenders.length; // rotate who goes first
      const c = contenders[i];
      const ms = await timeBatch(c, iters[i]);
      samples[i].push(iters[i] * c.items / (ms / 1000));
    }
  }
  return contenders.map((c, i) => summarize(c, samples[i]));
}
