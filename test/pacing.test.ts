/** The pacing primitives behind Delivery: evenly spaced starts, an in-flight cap, cancellable waits. */
import { pause, RateLimiter, Semaphore } from '../nodes/shared/transport/pacing';

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

test('RateLimiter.pauseFor pushes every later start back', async () => {
	const limiter = new RateLimiter(1000);
	const before = Date.now();
	limiter.pauseFor(80);
	await limiter.acquire();
	expect(Date.now() - before).toBeGreaterThanOrEqual(75);
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
