import { sleep } from 'n8n-workflow';

/**
 * Waits `ms`, or less when the execution is cancelled (then it throws). Written here because
 * n8n-workflow's own abortable sleep is not in every n8n release this package supports.
 */
export async function pause(ms: number, signal?: AbortSignal): Promise<void> {
	if (!signal) return await sleep(ms);
	if (signal.aborted) throw new Error('The execution was cancelled');
	let onAbort: () => void = () => {};
	const cancelled = new Promise<never>((_resolve, reject) => {
		onAbort = () => reject(new Error('The execution was cancelled'));
		signal.addEventListener('abort', onAbort, { once: true });
	});
	try {
		await Promise.race([sleep(ms), cancelled]);
	} finally {
		signal.removeEventListener('abort', onAbort);
	}
}

/**
 * Keeps request starts within a rate. Callers wait in one queue, released in arrival order by a
 * single timer chain, so that the rate, a pause or the cap apply at once to everyone waiting, and
 * a thousand waiting requests cost one timer, not a thousand (which would keep the event loop
 * from reading Bird's answers, a 429 among them):
 * - Spacing: one start every `1000 / rate` ms. A timer that fires late may catch up by at most
 *   50 ms of starts, never more.
 * - A hard cap: no start while `rate` starts already happened in the last 1000 ms. Timers fire
 *   late on a busy machine, and late starts would bunch up into the next second; the cap keeps
 *   every one-second window, aligned however, within the limit.
 *
 * The workspace's limiter (`answers`: every start's answer is reported with `finished`) starts at
 * `ceiling` (Bird's documented limit, or this process's share of it) and finds the budget really
 * left from Bird's 429s alone, as TCP finds a path's capacity from lost packets. Several n8n
 * processes (queue mode's workers) that each aim at the whole limit settle on their shares so,
 * without being told:
 * - Hold. A 429 means Bird's second is full: everything sent before it turns is refused too. So
 *   after a 429 nothing starts but probes, until Bird accepts a request started after the last
 *   one it refused (its second has turned). Probes go soon, then less and less often; once a hold
 *   has shown where Bird's second turns, at that moment instead. A collision costs the requests
 *   already out and a probe or two, not the rest of Bird's second.
 * - Cut, once per second of Bird's however many 429s arrive: to 90 % of what Bird accepted from
 *   this process in its second that filled up (since the last hold ended, or over the last
 *   second), and to at most half of the limit while that leaves the other senders less than this
 *   process takes: two senders meet at their halves at once instead of keeping the split their
 *   start times made. Never below half of its rate in one cut: a process Bird held back for most
 *   of that second took little of it, which says nothing of its share. A process that has sent
 *   for less than a second (or was held back by the probation) cannot tell its share: it halves.
 *   With nothing accepted at all it halves too.
 * - Probe back up on TCP CUBIC's curve: fast back to just under the share it measured, slowly past
 *   it, where the next 429 is likely, then faster and faster when none comes (the other senders
 *   stopped): about 5 s from half the limit back to all of it. Never faster: Bird's verdict on a
 *   second comes only once that second is full, up to a second later. Each cut draws the curve's
 *   pace with some jitter, so that two processes do not probe in step. After a halving with
 *   nothing measured, it wins back a tenth per quiet second instead.
 * - Answers are matched to starts in order (first started, first answered), which is how they
 *   mostly come back; a mismatch costs a few requests, never a message.
 * - Everything started before the first 429 is read is wasted, and a busy n8n reads answers late
 *   (hundreds of ms at full speed, measured). So while the limiter is new, at most
 *   PROBATION_IN_FLIGHT requests may be unanswered at once: a first burst into a busy budget is
 *   bounded by that, while a healthy run, whose answers come back in milliseconds, never notices.
 *
 * A node's own lower rate (`answers` false) only spaces starts.
 */
/** Unanswered requests a new limiter allows at once. */
const PROBATION_IN_FLIGHT = 16;

/** While holding after a 429: the first probe after this many ms, the next ones twice as far apart, up to PROBE_MAX_MS. */
const PROBE_MS = 50;

const PROBE_MAX_MS = 200;

/** A hold ends at the first accepted answer this long after it began, whatever was sent when (Bird's second has turned). */
const HOLD_MAX_MS = 1000;

/** After a cut the rate is this share of what Bird accepted. */
const CUT = 0.9;

/** The curve levels out at this share of what Bird accepted (the headroom the ceiling keeps too). */
const PLATEAU = 0.98;

/** The cubic curve's steepness, per s³, as a share of the ceiling. */
const CUBIC = 0.01;

export class RateLimiter {
	private readonly waiting: Array<() => void> = [];

	private releasing = false;

	private nextStart = 0;

	private pausedUntil = 0;

	/** Start times of the last second, oldest first. */
	private readonly recent: number[] = [];

	/** When requests that Bird did not rate-limit were answered, over the last second. */
	private readonly answered: number[] = [];

	/** Start times of the requests not yet answered, oldest first. */
	private readonly outstanding: number[] = [];

	private rate: number;

	private slowedAt = 0;

	private raisedAt = 0;

	/** Started requests not yet answered. */
	private inFlight = 0;

	/** Until then, at most PROBATION_IN_FLIGHT requests are in flight. */
	private readonly probationUntil: number;

	/** The probation held starts back: what was accepted during it is no measure of a share. */
	private probationBound = false;

	/** Wakes the release loop when it waits for an answer. */
	private onAnswer?: () => void;

	/** A 429 was read, and Bird has accepted nothing started since the last request it refused: only probes start. */
	private holding = false;

	private heldAt = 0;

	/** When the newest request Bird refused was started. */
	private lastRefused = -Infinity;

	/** When the last hold ended: Bird's second turned about then. */
	private resumedAt = -Infinity;

	private probeAt = 0;

	private probeGap = PROBE_MS;

	/**
	 * Where Bird's second turns, as far as holds have shown (it turned after a refused start and by
	 * the next accepted one): after `lo`, by `hi`, and every 1000 ms from there.
	 */
	private turn?: { lo: number; hi: number };

	/** The last start, and when the current run of starts (no gap over a second) began. */
	private lastStartAt = -Infinity;

	private busySince?: number;

	/** After a measured cut: the cubic curve the rate follows back up. */
	private curve?: { at: number; plateau: number; k: number; c: number };

	constructor(
		readonly ceiling: number,
		readonly answers = true,
	) {
		this.rate = ceiling;
		this.probationUntil = Date.now() + 1000;
	}

	/** The rate starts are held to now (requests per second). */
	get perSecond(): number {
		return this.rate;
	}

	/** A request that was started got its answer (or failed); `rateLimited` when that was a 429. */
	finished(rateLimited = false): void {
		this.inFlight = Math.max(0, this.inFlight - 1);
		const now = Date.now();
		const startedAt = this.outstanding.shift() ?? now;
		if (rateLimited) {
			// Bird did not count it: it no longer holds a place among the last second's starts (the
			// newest start stands in for it; those are the ones a full second refuses).
			this.recent.pop();
			this.lastRefused = Math.max(this.lastRefused, startedAt);
			if (!this.holding) {
				this.holding = true;
				this.heldAt = now;
				this.planProbes(now);
			}
		} else {
			this.answered.push(now);
			while (this.answered.length && now - this.answered[0] >= 1000) this.answered.shift();
			if (this.holding && (startedAt > this.lastRefused || now - this.heldAt >= HOLD_MAX_MS)) {
				if (startedAt > this.lastRefused) this.learnTurn(this.lastRefused, startedAt);
				this.holding = false;
				this.resumedAt = now;
				// A new second of Bird's has begun: the starts of the full one no longer count against it.
				this.recent.length = 0;
			}
		}
		this.onAnswer?.();
	}

	/**
	 * Bird answered 429: cut the rate to this process's share of what Bird accepts, once per second
	 * at most, and never below half of it in one cut.
	 */
	slowDown(): void {
		const now = Date.now();
		// The 429s of one full second count once; a second of Bird's that began since the last cut
		// (a hold ended) is news.
		if (now - this.slowedAt < 1000 && this.resumedAt <= this.slowedAt) return;
		while (this.answered.length && now - this.answered[0] >= 1000) this.answered.shift();
		const before = this.rate;
		if (this.answered.length < 1) {
			this.rate = Math.max(1, before / 2);
			this.curve = undefined;
		} else {
			// What Bird accepted from this process in its second that just filled up: since the last
			// hold ended (its second began then), or over the last second of sending. Sending for less
			// than a second (or held back by the probation), that is not a whole second's share: halve.
			const since = this.probationBound ? Math.max(this.busySince ?? 0, this.probationUntil) : this.busySince;
			const resumed = now - this.resumedAt < 1000;
			const accepted = resumed ? this.answered.filter((at) => at >= this.resumedAt).length : this.answered.length;
			const half = this.ceiling / 2;
			// Never below half the rate in one cut: a process that Bird held back for most of the
			// second that filled up took little of it, which says nothing about its fair share (cutting
			// to that, measured, left two workers at half the budget between them for seconds).
			const share =
				resumed || since === undefined || now - since >= 1000
					? // At most half of the limit, unless the others took so little (under a quarter) that
						// taking twice theirs leaves more; at most what this process took.
						Math.max(before / 2, Math.min(before, accepted, Math.max(half, 2 * accepted - this.ceiling)))
					: before / 2;
			this.cutTo(Math.max(1, Math.min(share, this.ceiling)), now);
		}
		this.slowedAt = now;
	}

	/** Pushes every later start back, for a server that said "slow down" (429 Retry-After). */
	pauseFor(ms: number): void {
		this.pausedUntil = Math.max(this.pausedUntil, Date.now() + ms);
	}

	/** Resolves when this caller may start its request. */
	async acquire(): Promise<void> {
		await new Promise<void>((resolve) => {
			this.waiting.push(resolve);
			if (!this.releasing) void this.release();
		});
	}

	/**
	 * When to probe during a hold. Where Bird's second turns is known: once halfway between the
	 * last start it refused and the latest the second can turn (a refusal narrows down the turn for
	 * next time, an acceptance too), then at that latest. Otherwise soon, then less and less often.
	 */
	private planProbes(now: number): void {
		this.probeAt = now + PROBE_MS;
		this.probeGap = PROBE_MS;
		const turn = this.turn;
		if (!turn) return;
		const shift = Math.ceil((this.lastRefused - turn.hi) / 1000) * 1000;
		const hi = turn.hi + shift;
		const lo = Math.max(turn.lo + shift, this.lastRefused);
		this.probeAt = Math.max(now, Math.ceil((lo + hi) / 2));
		this.probeGap = Math.max(1, hi + 1 - this.probeAt);
	}

	/** Bird's second turned after `lo` and by `hi`: narrows down what earlier holds showed, or starts afresh when they disagree. */
	private learnTurn(lo: number, hi: number): void {
		if (hi - lo > PROBE_MAX_MS) return;
		const known = this.turn;
		if (known) {
			const shift = Math.round((hi - known.hi) / 1000) * 1000;
			const narrowed = { lo: Math.max(lo, known.lo + shift), hi: Math.min(hi, known.hi + shift) };
			if (narrowed.lo < narrowed.hi) {
				this.turn = narrowed;
				return;
			}
		}
		this.turn = { lo, hi };
	}

	/** The rate drops to CUT of `share`, and climbs back on a cubic curve that levels out at PLATEAU of it. */
	private cutTo(share: number, now: number): void {
		this.rate = Math.max(1, CUT * share);
		const plateau = Math.max(this.rate, PLATEAU * share);
		// Jitter, so that processes that cut together do not probe in step.
		const c = CUBIC * this.ceiling * (0.8 + 0.4 * Math.random());
		this.curve = { at: now, plateau, k: Math.cbrt((plateau - this.rate) / c), c };
	}

	private grow(now: number): void {
		const curve = this.curve;
		if (curve) {
			const t = (now - curve.at) / 1000 - curve.k;
			this.rate = Math.max(1, Math.min(this.ceiling, curve.plateau + curve.c * t * t * t));
			if (this.rate >= this.ceiling) this.curve = undefined;
		} else if (this.rate < this.ceiling && now - this.slowedAt >= 1000 && now - this.raisedAt >= 1000) {
			this.rate = Math.min(this.ceiling, this.rate + Math.max(this.rate / 10, this.ceiling / 100));
			this.raisedAt = now;
		}
	}

	/** Waits for the next answer, or `ms` at most (a lost answer cannot stall the queue). */
	private async nextAnswer(ms: number): Promise<void> {
		await Promise.race([new Promise<void>((resolve) => (this.onAnswer = resolve)), sleep(Math.max(1, ms))]);
		this.onAnswer = undefined;
	}

	private async release(): Promise<void> {
		this.releasing = true;
		try {
			while (this.waiting.length) {
				const now = Date.now();
				this.grow(now);
				while (this.recent.length && now - this.recent[0] >= 1000) this.recent.shift();
				const cap = Math.max(1, Math.floor(this.rate));
				// While holding, only probes start, far apart: the cap has nothing to bunch up.
				const capped = !this.holding && this.recent.length >= cap;
				const at = Math.max(this.nextStart, this.pausedUntil, capped ? this.recent[0] + 1000 : 0);
				if (at > now) {
					await sleep(at - now);
					continue;
				}
				if (this.answers && now < this.probationUntil && this.inFlight >= PROBATION_IN_FLIGHT) {
					this.probationBound = true;
					await this.nextAnswer(50);
					continue;
				}
				if (this.holding) {
					if (now < this.probeAt) {
						await this.nextAnswer(this.probeAt - now);
						continue;
					}
					this.probeAt = now + this.probeGap;
					this.probeGap = Math.min(PROBE_MAX_MS, 2 * this.probeGap);
				}
				if (this.answers) {
					this.inFlight += 1;
					this.outstanding.push(now);
				}
				this.recent.push(now);
				if (now - this.lastStartAt > 1000) this.busySince = now;
				this.lastStartAt = now;
				// Late by a few ms, catch up; after a pause or idle time, start the spacing afresh.
				this.nextStart = (this.nextStart < now - 50 ? now : this.nextStart) + 1000 / this.rate;
				this.waiting.shift()?.();
			}
		} finally {
			this.releasing = false;
		}
	}
}

/** Caps how many requests are in flight at once; waiters are served in arrival order. */
export class Semaphore {
	private active = 0;

	private readonly waiting: Array<() => void> = [];

	constructor(readonly size: number) {}

	async acquire(): Promise<() => void> {
		if (this.active >= this.size) {
			await new Promise<void>((resolve) => this.waiting.push(resolve));
		} else {
			this.active++;
		}
		let released = false;
		return () => {
			if (released) return;
			released = true;
			const next = this.waiting.shift();
			if (next) next();
			else this.active--;
		};
	}
}

/**
 * Keeps one instance per key for the life of the process, so that every node and every
 * execution that talks to the same workspace shares the workspace's budget. Entries
 * unused for `idleMs` are dropped.
 */
export class KeyedRegistry<T> {
	private readonly entries = new Map<string, { value: T; usedAt: number }>();

	private sweptAt = 0;

	constructor(private readonly idleMs = 10 * 60 * 1000) {}

	/** The entry for `key`, made by `create` when there is none. */
	get(key: string, create: () => T): T {
		const now = Date.now();
		if (now - this.sweptAt >= 1000) this.sweep(now);
		let entry = this.entries.get(key);
		if (!entry) {
			entry = { value: create(), usedAt: now };
			this.entries.set(key, entry);
		}
		entry.usedAt = now;
		return entry.value;
	}

	delete(key: string): void {
		this.entries.delete(key);
	}

	private sweep(now: number) {
		this.sweptAt = now;
		for (const [key, entry] of this.entries) {
			if (now - entry.usedAt > this.idleMs) this.entries.delete(key);
		}
	}
}
