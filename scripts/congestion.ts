/**
 * Queue mode without n8n: several "processes" (independent RateLimiter instances, as each n8n
 * worker has its own) send messages through real HTTP requests to a server on 127.0.0.1 that
 * enforces a per-second limit as Bird does (and as the sandbox's rate-limit mode does: requests
 * counted per wall-clock second, the rest answered 429 with Retry-After: 1).
 *
 * Each message is sent the way the transport (nodes/shared/transport/request.ts) sends it: wait
 * for the limiter, send, `finished(rateLimited)`, and on a 429 `slowDown()` (pausing the
 * workspace for Retry-After when that says so), wait Retry-After, and send again.
 *
 * test/congestion.test.ts runs a small version; this script runs Bird's real 500 POST/s:
 *
 *   npm run build && npm run build:scripts && node .cache/scripts/congestion.js
 *
 * Options (environment): CONGESTION_LIMIT (500), CONGESTION_MESSAGES (per process, 2000),
 * CONGESTION_TRIALS (3), CONGESTION_LATENCY_MS (the server answers this late, 0),
 * CONGESTION_PROCESSES (2), CONGESTION_LIMITER (a built pacing.js to compare with; default the
 * package's dist/nodes/shared/transport/pacing.js).
 */
import { existsSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

/** What the transport uses of a limiter. */
export interface Limiter {
	readonly perSecond: number;
	acquire(): Promise<void>;
	finished(rateLimited?: boolean): void;
	/** True (older limiters only) when the workspace should also pause for Retry-After. */
	slowDown(): boolean | void;
	pauseFor(ms: number): void;
}

export type LimiterClass = new (ceiling: number) => Limiter;

/** Bird's headroom in request.ts: pacing aims at 98 % of the documented limit. */
export const HEADROOM = 0.98;

const sleep = async (ms: number) => await new Promise((resolve) => setTimeout(resolve, ms));

/** A server that accepts `limit` POSTs per wall-clock second and answers the rest 429. */
export class WindowServer {
	requests = 0;

	limited = 0;

	url = '';

	/** Per wall-clock second: accepted and refused requests of each process (CONGESTION_TRACE). */
	readonly seconds = new Map<number, Map<string, { accepted: number; refused: number }>>();

	private readonly counts = new Map<number, number>();

	private server?: Server;

	constructor(
		readonly limit: number,
		readonly latencyMs = 0,
	) {}

	async start(): Promise<this> {
		this.server = createServer((req, res) => {
			req.resume();
			req.on('end', () => {
				const second = Math.floor(Date.now() / 1000);
				const count = (this.counts.get(second) ?? 0) + 1;
				this.counts.set(second, count);
				if (this.counts.size > 10) this.counts.delete(this.counts.keys().next().value as number);
				this.requests++;
				const limited = count > this.limit;
				if (limited) this.limited++;
				const who = String(req.headers['x-process'] ?? '?');
				const perProcess = this.seconds.get(second) ?? new Map<string, { accepted: number; refused: number }>();
				this.seconds.set(second, perProcess);
				const entry = perProcess.get(who) ?? { accepted: 0, refused: 0 };
				perProcess.set(who, entry);
				if (limited) entry.refused++;
				else entry.accepted++;
				const answer = () => {
					if (limited) {
						res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '1' });
						res.end('{"code":"TooManyRequests","message":"Rate limit exceeded"}');
					} else {
						res.writeHead(202, { 'content-type': 'application/json' });
						res.end('{"status":"accepted"}');
					}
				};
				if (this.latencyMs > 0) setTimeout(answer, this.latencyMs);
				else answer();
			});
		});
		this.server.keepAliveTimeout = 30_000;
		await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
		this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/messages`;
		return this;
	}

	reset(): void {
		this.requests = 0;
		this.limited = 0;
		this.seconds.clear();
	}

	/** One line per second: each process's accepted/refused. */
	timeline(): string {
		return [...this.seconds.entries()]
			.map(([second, perProcess]) => `    ${second % 1000}: ` + [...perProcess.entries()].sort().map(([who, entry]) => `${who} ${entry.accepted}/${entry.refused}`).join('  '))
			.join('\n');
	}

	async stop(): Promise<void> {
		this.server?.closeAllConnections();
		await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
	}
}

export interface ProcessPlan {
	/** The limiter's ceiling (requests per second). */
	ceiling: number;
	messages: number;
	/** When this process starts sending, in ms after the run began. */
	startAt?: number;
	/** Items become ready at this pace (a process that cannot prepare more); all at once without. */
	producePerSecond?: number;
}

/** The load of a busy n8n, in the sender's own event loop: blocked busyMs at a time, busyShare of the time. */
export interface Load {
	busyMs?: number;
	busyShare?: number;
}

export interface ProcessResult {
	messages: number;
	requests: number;
	limited: number;
	/** ms from the run's start until this process's last message was accepted. */
	doneAt: number;
	/** The limiter's rate when the process finished. */
	finalRate: number;
}

export interface RunResult {
	messages: number;
	requests: number;
	limited: number;
	/** Extra requests (answered 429) per message. */
	extra: number;
	seconds: number;
	perSecond: number;
	processes: ProcessResult[];
	/** Per second: each process's accepted/refused requests. */
	timeline: string;
}

/** One message as the transport sends it: paced, retried after a 429 (up to 5 retries). */
async function sendOne(limiter: Limiter, url: string, result: ProcessResult, who: string, maxRetries = 5): Promise<void> {
	for (let attempt = 0; ; attempt++) {
		await limiter.acquire();
		let status = 0;
		let retryAfter = '';
		try {
			const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-process': who }, body: '{"body":{"type":"text"}}' });
			status = response.status;
			retryAfter = response.headers.get('retry-after') ?? '';
			await response.arrayBuffer();
		} finally {
			limiter.finished(status === 429);
		}
		result.requests++;
		if (status !== 429) return;
		result.limited++;
		if (attempt >= maxRetries) throw new Error(`Still 429 after ${attempt + 1} attempts`);
		const wait = retryAfter ? Number(retryAfter) * 1000 : 1000;
		if (limiter.slowDown()) limiter.pauseFor(wait);
		await sleep(wait);
	}
}

/** Runs the processes against `server` at once (each after its startAt); the server's own counts are the truth. */
export async function run(Limiter: LimiterClass, server: WindowServer, plans: ProcessPlan[], load: Load = {}): Promise<RunResult> {
	server.reset();
	const began = Date.now();
	const trace: string[] = [];
	// A busy n8n: the event loop blocked for busyMs now and then, so that timers fire and answers are read late.
	let busy: ReturnType<typeof setInterval> | undefined;
	if (load.busyMs && load.busyShare) {
		busy = setInterval(() => {
			const until = Date.now() + load.busyMs!;
			while (Date.now() < until) {
				// busy
			}
		}, load.busyMs / load.busyShare);
	}
	const results = await Promise.all(
		plans.map(async (plan, index) => {
			if (plan.startAt) await sleep(plan.startAt);
			const limiter = new Limiter(plan.ceiling);
			const sampler = process.env.CONGESTION_TRACE
				? setInterval(() => trace.push(`${Date.now() % 100000} p${index + 1} ${limiter.perSecond.toFixed(0)} ${JSON.stringify(limiter, (key, value) => (['waiting', 'recent', 'answered'].includes(key) ? (value as unknown[]).length : value))}`), 100)
				: undefined;
			const result: ProcessResult = { messages: plan.messages, requests: 0, limited: 0, doneAt: 0, finalRate: 0 };
			await Promise.all(
				Array.from({ length: plan.messages }, async (_, item) => {
					// A process that prepares items at a limited pace hands them over one by one.
					if (plan.producePerSecond) await sleep((1000 * item) / plan.producePerSecond);
					await sendOne(limiter, server.url, result, `p${index + 1}`);
				}),
			);
			if (sampler) clearInterval(sampler);
			result.doneAt = Date.now() - began;
			result.finalRate = limiter.perSecond;
			return result;
		}),
	);
	if (busy) clearInterval(busy);
	const seconds = (Date.now() - began) / 1000;
	const messages = plans.reduce((sum, plan) => sum + plan.messages, 0);
	return {
		messages,
		requests: server.requests,
		limited: server.limited,
		extra: (server.requests - messages) / messages,
		seconds,
		perSecond: messages / seconds,
		processes: results,
		timeline: `${server.timeline()}\n${trace.join('\n')}`,
	};
}

export interface Comparison {
	/** Each process alone at the whole limit (the default setting), but sharing the workspace. */
	pair: RunResult;
	/** The same, each process at its share (the credential says how many processes share). */
	tuned: RunResult;
	/** One process with the workspace to itself, as many messages as the pair together. */
	single: RunResult;
}

/** The three runs the targets compare: default pair, tuned pair, single process. */
export async function compare(
	Limiter: LimiterClass,
	options: { limit: number; perProcess: number; processes?: number; latencyMs?: number; offsetMs?: number; producePerSecond?: number; uneven?: boolean } & Load,
): Promise<Comparison> {
	const { limit, perProcess, processes = 2, latencyMs = 0, offsetMs = 0, producePerSecond } = options;
	const server = await new WindowServer(limit, latencyMs).start();
	try {
		// Uneven: the first process has a quarter of the messages, the last the rest (it sends alone at the end).
		const share = (index: number) => (!options.uneven ? perProcess : index === 0 ? Math.round(perProcess / 4) : index === processes - 1 ? perProcess * 2 - Math.round(perProcess / 4) : perProcess);
		const plans = (ceiling: number) => Array.from({ length: processes }, (_, index) => ({ ceiling, messages: share(index), startAt: index * offsetMs, producePerSecond }));
		const full = limit * HEADROOM;
		// Each run starts at a fresh wall-clock second's beginning plus a little, so that the three see alike windows.
		await sleep(1000 - (Date.now() % 1000) + 50);
		const pair = await run(Limiter, server, plans(full), options);
		await sleep(1000 - (Date.now() % 1000) + 50);
		const tuned = await run(Limiter, server, plans(full / processes), options);
		await sleep(1000 - (Date.now() % 1000) + 50);
		const single = await run(Limiter, server, [{ ceiling: full, messages: perProcess * processes, producePerSecond }], options);
		return { pair, tuned, single };
	} finally {
		await server.stop();
	}
}

export function describeRun(label: string, result: RunResult): string {
	const each = result.processes.map((process) => `${(process.doneAt / 1000).toFixed(1)} s/${process.limited} 429/rate ${process.finalRate.toFixed(0)}`).join(', ');
	return (
		`${label.padEnd(14)} ${String(result.messages).padStart(5)} messages, ${String(result.requests).padStart(5)} requests, ` +
		`${String(result.limited).padStart(4)} answered 429 (${(100 * result.extra).toFixed(1).padStart(4)} % extra), ` +
		`${result.seconds.toFixed(2).padStart(5)} s, ${result.perSecond.toFixed(0).padStart(4)} messages/s  [${each}]`
	);
}

function packageRoot(): string {
	for (let folder = __dirname; folder !== path.dirname(folder); folder = path.dirname(folder)) {
		const manifest = path.join(folder, 'package.json');
		if (existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).name === 'n8n-nodes-bird') return folder;
	}
	throw new Error(`n8n-nodes-bird's package.json not found above ${__dirname}`);
}

async function main(): Promise<void> {
	const env = (name: string, fallback: number) => (process.env[name] ? Number(process.env[name]) : fallback);
	const limit = env('CONGESTION_LIMIT', 500);
	const perProcess = env('CONGESTION_MESSAGES', 2000);
	const trials = env('CONGESTION_TRIALS', 3);
	const latencyMs = env('CONGESTION_LATENCY_MS', 0);
	const processes = env('CONGESTION_PROCESSES', 2);
	const producePerSecond = env('CONGESTION_PRODUCE', 0) || undefined;
	const busyMs = env('CONGESTION_BUSY_MS', 0);
	const busyShare = env('CONGESTION_BUSY_SHARE', 0);
	const file = path.resolve(process.env.CONGESTION_LIMITER ?? path.join(packageRoot(), 'dist/nodes/shared/transport/pacing.js'));
	// dist/ is outside this script's TypeScript project: loaded at run time.
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const { RateLimiter } = require(file) as { RateLimiter: LimiterClass };
	console.log(
		`${file}: ${processes} processes × ${perProcess} messages against ${limit} POST/s, answers after ${latencyMs} ms, ` +
			`${producePerSecond ? `items ready at ${producePerSecond}/s per process, ` : ''}${busyShare ? `event loop busy ${100 * busyShare} % in ${busyMs} ms blocks, ` : ''}${trials} trials`,
	);
	if (process.env.CONGESTION_MODE === 'lone') {
		// One process, not told the workspace's budget (the bench's 100 POST/s and shared 50 POST/s phases).
		const server = await new WindowServer(limit, latencyMs).start();
		try {
			for (let trial = 1; trial <= trials; trial++) {
				await sleep(1000 - (Date.now() % 1000) + 50 + 337 * (trial - 1));
				const alone = await run(RateLimiter, server, [{ ceiling: 500 * HEADROOM, messages: perProcess, producePerSecond }], { busyMs, busyShare });
				console.log(`  ${describeRun(`alone at ${limit}/s`, alone)}`);
				if (process.env.CONGESTION_TRACE) console.log(alone.timeline);
			}
		} finally {
			await server.stop();
		}
		return;
	}
	const ratios: string[] = [];
	for (let trial = 1; trial <= trials; trial++) {
		// The second process starts at a different point of Bird's second in each trial.
		const offsetMs = Math.round(((trial - 1) * 337) % 1000);
		const { pair, tuned, single } = await compare(RateLimiter, { limit, perProcess, processes, latencyMs, offsetMs, producePerSecond, busyMs, busyShare, uneven: !!process.env.CONGESTION_UNEVEN });
		console.log(`trial ${trial} (processes start ${offsetMs} ms apart)`);
		console.log(`  ${describeRun('default pair', pair)}`);
		if (process.env.CONGESTION_TRACE) console.log(pair.timeline);
		console.log(`  ${describeRun('tuned pair', tuned)}`);
		console.log(`  ${describeRun('single', single)}`);
		const ratio = `default pair: ${(100 * pair.extra).toFixed(1)} % extra, ${((100 * pair.perSecond) / tuned.perSecond).toFixed(0)} % of tuned's messages/s; single ${((100 * single.perSecond) / (limit * HEADROOM)).toFixed(0)} % of ${limit * HEADROOM}/s`;
		console.log(`  ${ratio}`);
		ratios.push(ratio);
	}
}

if (require.main === module) {
	main().catch((error: unknown) => {
		console.error(error);
		process.exitCode = 1;
	});
}
