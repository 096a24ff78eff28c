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
 * Spaces request starts evenly at `perSecond`: every caller reserves the next free slot
 * and waits for it. No burst: at 500/s a start happens every 2 ms, so no one-second
 * window ever sees more than the limit.
 */
export class RateLimiter {
	private nextSlot = 0;

	constructor(readonly perSecond: number) {}

	async acquire(): Promise<void> {
		const interval = 1000 / this.perSecond;
		const now = Date.now();
		const slot = Math.max(now, this.nextSlot);
		this.nextSlot = slot + interval;
		if (slot > now) await sleep(slot - now);
	}

	/** Pushes every later start back, for a server that said "slow down" (429 Retry-After). */
	pauseFor(ms: number): void {
		this.nextSlot = Math.max(this.nextSlot, Date.now() + ms);
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

	constructor(
		private readonly create: (key: string) => T,
		private readonly idleMs = 10 * 60 * 1000,
	) {}

	get(key: string): T {
		const now = Date.now();
		let entry = this.entries.get(key);
		if (!entry) {
			this.sweep(now);
			entry = { value: this.create(key), usedAt: now };
			this.entries.set(key, entry);
		}
		entry.usedAt = now;
		return entry.value;
	}

	private sweep(now: number) {
		for (const [key, entry] of this.entries) {
			if (now - entry.usedAt > this.idleMs) this.entries.delete(key);
		}
	}
}
