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
 * Keeps request starts within a rate, in two ways:
 * - Spacing: every caller reserves the next free slot, `1000 / rate` ms after the previous
 *   one, and waits for it. Starts are spread out instead of bursting.
 * - A hard cap: a start also waits while `rate` starts already happened in the last 1000 ms.
 *   Timers fire late on a busy machine, and late starts would bunch up into the next second;
 *   the cap keeps every one-second window, aligned however, within the limit.
 *
 * The rate starts at `ceiling` (Bird's documented limit) and adapts when Bird disagrees. On a
 * 429 (at most once a second, however many arrive together) it drops to 90 % of what Bird
 * accepted in the last second: that is what is really left of a budget other senders share.
 * Without that measurement it halves. Every second without a 429 wins back a tenth of the rate
 * (at least a hundredth of the ceiling): the rate creeps back up to the limit and probes it
 * gently, instead of overshooting by a large step into a burst of 429s.
 */
export class RateLimiter {
	private nextSlot = 0;

	private pausedUntil = 0;

	/** Start times of the last second, oldest first. */
	private readonly recent: number[] = [];

	/** When requests that Bird did not rate-limit were answered, over the last second. */
	private readonly answered: number[] = [];

	private rate: number;

	private slowedAt = 0;

	private raisedAt = 0;

	constructor(readonly ceiling: number) {
		this.rate = ceiling;
	}

	/** The rate starts are held to now (requests per second). */
	get perSecond(): number {
		return this.rate;
	}

	/** Bird answered a request without a 429. */
	accepted(): void {
		const now = Date.now();
		this.answered.push(now);
		while (this.answered.length && now - this.answered[0] >= 1000) this.answered.shift();
	}

	/** Bird answered 429: slow down to what it accepted in the last second, once per second at most. */
	slowDown(): void {
		const now = Date.now();
		if (now - this.slowedAt < 1000) return;
		while (this.answered.length && now - this.answered[0] >= 1000) this.answered.shift();
		const measured = this.answered.length * 0.9;
		this.rate = Math.max(1, measured >= 1 ? Math.min(this.rate, measured) : this.rate / 2);
		this.slowedAt = now;
	}

	async acquire(): Promise<void> {
		const now = Date.now();
		if (this.rate < this.ceiling && now - this.slowedAt >= 1000 && now - this.raisedAt >= 1000) {
			this.rate = Math.min(this.ceiling, this.rate + Math.max(this.rate / 10, this.ceiling / 100));
			this.raisedAt = now;
		}
		const slot = Math.max(now, this.nextSlot, this.pausedUntil);
		this.nextSlot = slot + 1000 / this.rate;
		if (slot > now) await sleep(slot - now);
		for (;;) {
			const cap = Math.max(1, Math.floor(this.rate));
			const time = Date.now();
			while (this.recent.length && time - this.recent[0] >= 1000) this.recent.shift();
			if (this.recent.length < cap && time >= this.pausedUntil) {
				this.recent.push(time);
				return;
			}
			await sleep(Math.max(1, this.recent.length >= cap ? this.recent[0] + 1000 - time : this.pausedUntil - time));
		}
	}

	/** Pushes every later start back, for a server that said "slow down" (429 Retry-After). */
	pauseFor(ms: number): void {
		this.pausedUntil = Math.max(this.pausedUntil, Date.now() + ms);
		this.nextSlot = Math.max(this.nextSlot, this.pausedUntil);
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
