/** The pacing primitives behind Delivery: evenly spaced starts, an in-flight cap, cancellable waits. */
import { pause, RateLimiter, Semaphore } from '../nodes/shared/transport/pacing';
import { busiestSecond } from './helpers/windows';

// Timers may fire late on a busy machine (then two starts can share a millisecond), but never early.
test('RateLimiter spaces starts: 11 starts at 100/s span at least 100 ms', async () => {
	const limiter = new RateLimiter(100);
	const starts: number[] = [];
	await Promise.all(Array.from({ length: 11 }, async () => {
		await limiter.acquire();
		starts.push(Date.now());
	}));
	expect(starts[10] - starts[0]).toBeGreaterThanOrEqual(95);
});


test('RateLimiter: a stalled event loop does not make late starts bunch up beyond the limit', async () => {
	const limiter = new RateLimiter(50);
	const starts: number[] = [];
	const all = Promise.all(Array.from({ length: 80 }, async () => {
		await limiter.acquire();
		starts.push(Date.now());
	}));
	// Block the event loop for 400 ms after the first starts, as a busy n8n would.
	await pause(100);
	const until = Date.now() + 400;
	while (Date.now() < until) {
		// busy
	}
	await all;
	expect(busiestSecond(starts)).toBeLessThanOrEqual(51);
	expect(starts[starts.length - 1] - starts[0]).toBeGreaterThanOrEqual(1000);
});

test('RateLimiter.pauseFor pushes every later start back', async () => {
	const limiter = new RateLimiter(1000);
	const before = Date.now();
	limiter.pauseFor(80);
	await limiter.acquire();
	expect(Date.now() - before).toBeGreaterThanOrEqual(75);
});

test('RateLimiter adapts: a burst of 429s halves the rate once, quiet seconds win it back', async () => {
	const limiter = new RateLimiter(100);
	for (let index = 0; index < 50; index++) limiter.slowDown();
	expect(limiter.perSecond).toBe(50);
	await pause(1_050);
	await limiter.acquire();
	expect(limiter.perSecond).toBe(55);
	limiter.slowDown();
	expect(limiter.perSecond).toBe(27.5);
});

test('Semaphore never lets more than its size in, and serves waiters in order', async () => {
	const semaphore = new Semaphore(2);
	let inside = 0;
	let most = 0;
	const order: number[] = [];
	await Promise.all(Array.from({ length: 6 }, async (_, index) => {
		const release = await semaphore.acquire();
		order.push(index);
		inside++;
		most = Math.max(most, inside);
		await pause(5);
		inside--;
		release();
		release(); // a second release must not free a second slot
	}));
	expect(most).toBe(2);
	expect(order).toEqual([0, 1, 2, 3, 4, 5]);
});

test('pause ends early with an error when the execution is cancelled', async () => {
	const controller = new AbortController();
	const started = Date.now();
	setTimeout(() => controller.abort(), 20);
	await expect(pause(1_500, controller.signal)).rejects.toThrow('The execution was cancelled');
	expect(Date.now() - started).toBeLessThan(1_000);
});

test("RateLimiter after a 429: 90 % of this process's share, never below half the rate in one cut", () => {
	// Held back for most of Bird's full second (50 accepted): that says nothing of its share; half.
	const held = new RateLimiter(490);
	for (let index = 0; index < 50; index++) held.finished();
	held.slowDown();
	expect(held.perSecond).toBeCloseTo(0.9 * 245);
	held.slowDown(); // a burst of 429s counts once a second
	expect(held.perSecond).toBeCloseTo(0.9 * 245);
	// Took 450 of Bird's 490: the others took only 40, so its share is 2 × 450 − 490 = 410.
	const greedy = new RateLimiter(490);
	for (let index = 0; index < 450; index++) greedy.finished();
	greedy.slowDown();
	expect(greedy.perSecond).toBeCloseTo(0.9 * 410);
	// Took 300: two senders meet at their halves.
	const even = new RateLimiter(490);
	for (let index = 0; index < 300; index++) even.finished();
	even.slowDown();
	expect(even.perSecond).toBeCloseTo(0.9 * 245);
});

test('RateLimiter: while new, at most 16 requests wait for their answer at once; answers let the next ones go', async () => {
	const limiter = new RateLimiter(1000);
	let started = 0;
	const all = Promise.all(Array.from({ length: 40 }, async () => {
		await limiter.acquire();
		started++;
	}));
	await pause(30);
	expect(started).toBe(16);
	for (let index = 0; index < 8; index++) limiter.finished();
	await pause(30);
	expect(started).toBe(24);
	// After its first second without a 429, the limiter no longer counts answers.
	await all;
	expect(started).toBe(40);
});
