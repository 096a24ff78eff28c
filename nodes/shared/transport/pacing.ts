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
 * The rate starts at `ceiling` (Bird's documented limit) and adapts when Bird disagrees. On a
 * 429 (at most once a second, however many arrive together) it drops to 90 % of what Bird
 * accepted in the last second: that is what is really left of a budget other senders share.
 * Without that measurement it halves. Every second without a 429 wins back a tenth of the rate
 * (at least a hundredth of the ceiling): the rate creeps back up to the limit and probes it
 * gently, instead of overshooting by a large step into a burst of 429s.
 *
 * Everything started before the first 429 is read is wasted, and a busy n8n reads answers late
 * (hundreds of ms at full speed, measured). So while the limiter is new, and for a second after
 * each 429, at most PROBATION_IN_FLIGHT requests may be unanswered at once: the overshoot is
 * bounded by that, while a healthy run, whose answers come back in milliseconds, never notices.
 */
/** Unanswered requests a new (or just rate-limited) limiter allows at once. */
const PROBATION_IN_FLIGHT = 16;

export class RateLimiter {
	private readonly waiting: Array<() => void> = [];

	private releasing = false;

	private nextStart = 0;

	private pausedUntil = 0;

	/** Start times of the last second, oldest first. */
	private readonly recent: number[] = [];

	/** When requests that Bird did not rate-limit were answered, over the last second. */
	private readonly answered: number[] = [];

	private rate: number;

	private slowedAt = 0;

	private raisedAt = 0;

	/** Started requests not yet answered. */
	private inFlight = 0;

	/** Until then, at most PROBATION_IN_FLIGHT requests are in flight. */
	private probationUntil: number;

	/** Wakes the release loop when it waits for an answer. */
	private onAnswer?: () => void;

	constructor(readonly ceiling: number) {
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
		if (!rateLimited) {
			const now = Date.now();
			this.answered.push(now);
			while (this.answered.length && now - this.answered[0] >= 1000) this.answered.shift();
		}
		this.onAnswer?.();
	}

	/**
	 * Bird answered 429: slow down to what it accepted in the last second, once per second at
	 * most. True when that is a real cut (below 70 % of the rate): a burst the whole workspace
	 * should pause for, rather than one probe just past the limit.
	 */
	slowDown(): boolean {
		const now = Date.now();
		this.probationUntil = now + 1000;
		if (now - this.slowedAt < 1000) return false;
		while (this.answered.length && now - this.answered[0] >= 1000) this.answered.shift();
		const before = this.rate;
		const measured = this.answered.length * 0.9;
		this.rate = Math.max(1, measured >= 1 ? Math.min(this.rate, measured) : this.rate / 2);
		this.slowedAt = now;
		return this.rate < before * 0.7;
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

	private async release(): Promise<void> {
		this.releasing = true;
		try {
			while (this.waiting.length) {
				const now = Date.now();
				if (this.rate < this.ceiling && now - this.slowedAt >= 1000 && now - this.raisedAt >= 1000) {
					this.rate = Math.min(this.ceiling, this.rate + Math.max(this.rate / 10, this.ceiling / 100));
					this.raisedAt = now;
				}
				while (this.recent.length && now - this.recent[0] >= 1000) this.recent.shift();
				const cap = Math.max(1, Math.floor(this.rate));
				const at = Math.max(this.nextStart, this.pausedUntil, this.recent.length >= cap ? this.recent[0] + 1000 : 0);
				if (at > now) {
					await sleep(at - now);
					continue;
				}
				if (now < this.probationUntil && this.inFlight >= PROBATION_IN_FLIGHT) {
					// Wait for an answer (a lost one cannot stall the queue for more than 50 ms).
					await Promise.race([new Promise<void>((resolve) => (this.onAnswer = resolve)), sleep(50)]);
					this.onAnswer = undefined;
					continue;
				}
				this.inFlight += 1;
				this.recent.push(now);
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
