/**
 * `npm run bench:trigger` (and the last phase of `npm run bench`): how many of Bird's webhook
 * deliveries a real n8n takes per second through Bird Channels Trigger, against the same
 * workflow started by n8n's plain Webhook node (no signature check, no repeat check), with n8n's
 * default settings, in server mode.
 *
 * The deliveries are what a bulk send with status events causes: `<platform>.outbound` status
 * updates (two per message: accepted, then delivered) and some inbound messages, each signed as
 * Bird signs them. 5 % are sent twice (Bird's retries), and a few are forged: the trigger must
 * start nothing for them. Reported per contestant and concurrency: deliveries per second, p50
 * and p99 time to the 200, executions started, duplicates started, n8n's peak memory. Then the
 * package's own cost per delivery: signature check and repeat check, measured in this process.
 *
 * BENCH_TRIGGER_DELIVERIES (default 2000) and BENCH_TRIGGER_CONCURRENCY (default 20,50).
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import type { N8nInstance } from './n8n';
import { ensureN8n, ensureOwner, freePortPair, importInto, installPackage, n8nInstance, packPackage, publishWorkflow, ROOT, startN8n, waitForReady } from './n8n';
import { BirdSandbox, SANDBOX } from './sandbox/server';
import { signature } from './sandbox/webhooks';

const DELIVERIES = Number(process.env.BENCH_TRIGGER_DELIVERIES ?? 2000);
const CONCURRENCY = (process.env.BENCH_TRIGGER_CONCURRENCY ?? '20,50').split(',').map(Number);
const OWNER = { email: 'bench@example.com', firstName: 'Bench', lastName: 'Owner', password: 'BirdBench1' };
const CREDENTIAL = { birdChannelsApi: { id: 'birdBenchCred1', name: 'Bird sandbox' } };

type Contestant = 'trigger' | 'webhook';

interface Result {
	contestant: Contestant;
	concurrency: number;
	sent: number;
	seconds: number;
	p50: number;
	p99: number;
	statuses: Record<string, number>;
	executions: number;
	expected: number;
	peakRssMb?: number;
}

function workflows() {
	const trigger = {
		id: 'benchTrigger',
		name: 'Bench: Bird Channels Trigger',
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			{
				id: 't1',
				name: 'Bird Trigger',
				type: 'n8n-nodes-bird.birdTrigger',
				typeVersion: 2,
				position: [0, 0],
				webhookId: 'bench-trigger-hook',
				credentials: CREDENTIAL,
				parameters: { channelId: { __rl: true, mode: 'id', value: SANDBOX.channels.whatsapp }, events: ['inbound', 'outbound'], options: {} },
			},
			{ id: 't2', name: 'Done', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [250, 0], parameters: {} },
		],
		connections: { 'Bird Trigger': { main: [[{ node: 'Done', type: 'main', index: 0 }]] } },
	};
	const webhook = {
		id: 'benchWebhook',
		name: "Bench: n8n's Webhook node",
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			{ id: 'w1', name: 'Webhook', type: 'n8n-nodes-base.webhook', typeVersion: 2, position: [0, 0], webhookId: 'bench-webhook-hook', parameters: { httpMethod: 'POST', path: 'bench-webhook', responseMode: 'onReceived', options: {} } },
			{ id: 'w2', name: 'Done', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [250, 0], parameters: {} },
		],
		connections: { Webhook: { main: [[{ node: 'Done', type: 'main', index: 0 }]] } },
	};
	return [trigger, webhook];
}

/** What a bulk send with status events brings: two status updates per message, and every tenth message an inbound reply. */
function events(count: number, round: string): string[] {
	const bodies: string[] = [];
	for (let n = 0; bodies.length < count; n++) {
		const id = `${round}-m-${n}`;
		const receiver = { contacts: [{ identifierKey: 'phonenumber', identifierValue: `+3162${String(n).padStart(7, '0')}` }] };
		for (const status of ['accepted', 'delivered']) {
			bodies.push(JSON.stringify({ service: 'channels', event: 'whatsapp.outbound', payload: { id, status, channelId: SANDBOX.channels.whatsapp, receiver, body: { type: 'text', text: { text: `bench ${n}` } } } }));
		}
		if (n % 10 === 0) {
			bodies.push(
				JSON.stringify({
					service: 'channels',
					event: 'whatsapp.inbound',
					payload: { id: `${round}-in-${n}`, status: 'delivered', channelId: SANDBOX.channels.whatsapp, sender: { contact: { id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`, identifierKey: 'phonenumber', identifierValue: receiver.contacts[0].identifierValue } }, body: { type: 'text', text: { text: 'thanks' } } },
				}),
			);
		}
	}
	return bodies.slice(0, count);
}

async function startServer(userFolder: string, sandbox: BirdSandbox): Promise<{ url: string; child: ChildProcess; instance: N8nInstance; cookie: string }> {
	const runtime = ensureN8n();
	installPackage(userFolder, packPackage());
	const port = await freePortPair();
	const url = `http://127.0.0.1:${port}`;
	const instance = n8nInstance(runtime, userFolder, { N8N_WEBHOOK_URL: `${url}/`, WEBHOOK_URL: `${url}/` });
	await importInto(instance, 'credentials', [
		{ id: 'birdBenchCred1', name: 'Bird sandbox', type: 'birdChannelsApi', data: { apiKey: SANDBOX.accessKey, workspaceId: SANDBOX.workspaceId, organizationId: SANDBOX.organizationId, baseUrl: sandbox.url } },
	]);
	await importInto(instance, 'workflow', workflows());
	for (const id of ['benchTrigger', 'benchWebhook']) {
		await publishWorkflow(instance, id);
	}
	const child = startN8n(instance, port);
	child.stdout?.resume();
	child.stderr?.resume();
	await waitForReady(url);
	if (!(await ensureOwner(url, OWNER))) throw new Error('could not create the owner');
	const login = await fetch(`${url}/rest/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ emailOrLdapLoginId: OWNER.email, password: OWNER.password }) });
	const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0];
	// Activation subscribes the trigger at the sandbox.
	for (let waited = 0; sandbox.webhooks.subscriptions.length < 2 && waited < 60_000; waited += 250) await new Promise((resolve) => setTimeout(resolve, 250));
	return { url, child, instance, cookie };
}

function peakRssMb(child: ChildProcess): number | undefined {
	try {
		const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1];
		return kb ? Math.round(Number(kb) / 1024) : undefined;
	} catch {
		return undefined;
	}
}

async function executionCount(url: string, cookie: string, workflowId: string): Promise<number> {
	const response = await fetch(`${url}/rest/executions?filter=${encodeURIComponent(JSON.stringify({ workflowId }))}&limit=1`, { headers: { cookie } });
	const body = (await response.json()) as { data: { count: number } };
	return body.data.count;
}

/** Sends every request with `concurrency` in flight; the time to each answer and the statuses. */
async function fire(requests: Array<{ url: string; body: string; headers: Record<string, string> }>, concurrency: number) {
	const times: number[] = [];
	const statuses: Record<string, number> = {};
	let next = 0;
	const started = performance.now();
	await Promise.all(
		Array.from({ length: concurrency }, async () => {
			while (next < requests.length) {
				const request = requests[next++];
				const at = performance.now();
				const response = await fetch(request.url, { method: 'POST', body: request.body, headers: { 'content-type': 'application/json', ...request.headers } }).catch(() => undefined);
				await response?.arrayBuffer();
				times.push(performance.now() - at);
				const key = String(response?.status ?? 'no answer');
				statuses[key] = (statuses[key] ?? 0) + 1;
			}
		}),
	);
	const seconds = (performance.now() - started) / 1000;
	times.sort((a, b) => a - b);
	return { seconds, statuses, p50: times[Math.floor(times.length * 0.5)], p99: times[Math.floor(times.length * 0.99)] };
}

/** The package's own work per delivery, outside n8n: signature check and repeat check (the built package, from dist/). */
function ownCost(count: number): { verifyUs: number; repeatUs: number } {
	/* eslint-disable @typescript-eslint/no-require-imports -- the built package, loaded at run time: scripts/ compiles on its own */
	const { verifyDelivery } = require(path.join(ROOT, 'dist', 'nodes', 'BirdTrigger', 'signature.js')) as {
		verifyDelivery(delivery: { signature: string; timestamp: string; rawBody: Buffer }, subscriptions: Array<{ url: string; signingKey: string }>, now: number, maxAgeMs: number): unknown;
	};
	const { acceptOnce, eventKey } = require(path.join(ROOT, 'dist', 'nodes', 'BirdTrigger', 'replay.js')) as {
		acceptOnce(scope: string, key: string, now: number): unknown;
		eventKey(delivery: unknown, byContactMessage: boolean, rawBody: Buffer): string;
	};
	/* eslint-enable @typescript-eslint/no-require-imports */
	const key = 'k'.repeat(44);
	const url = 'https://n8n.example.com/webhook/x/webhook';
	const bodies = events(count, 'own').map((body) => Buffer.from(body));
	const timestamp = String(Math.floor(Date.now() / 1000));
	const signed = bodies.map((body) => signature(key, timestamp, url, body));
	let at = performance.now();
	bodies.forEach((body, n) => verifyDelivery({ signature: signed[n], timestamp, rawBody: body }, [{ url, signingKey: key }], Date.now(), 86_400_000));
	const verifyUs = ((performance.now() - at) * 1000) / count;
	at = performance.now();
	bodies.forEach((body) => {
		const delivery = JSON.parse(body.toString('utf8'));
		acceptOnce('bench|own|webhook', eventKey(delivery, true, body), Date.now());
	});
	const repeatUs = ((performance.now() - at) * 1000) / count;
	return { verifyUs, repeatUs };
}

export async function benchTrigger(): Promise<string> {
	const sandbox = new BirdSandbox();
	await sandbox.start();
	const userFolder = mkdtempSync(path.join(tmpdir(), 'bird-bench-trigger-'));
	const results: Result[] = [];
	let server: Awaited<ReturnType<typeof startServer>> | undefined;
	try {
		server = await startServer(userFolder, sandbox);
		const subscription = (event: string) => sandbox.webhooks.subscriptions.find((candidate) => candidate.event === event);
		for (const concurrency of CONCURRENCY) {
			// Alternate which goes first, so that neither always meets the fuller database.
			const order: Contestant[] = CONCURRENCY.indexOf(concurrency) % 2 === 0 ? ['webhook', 'trigger'] : ['trigger', 'webhook'];
			for (const contestant of order) {
				const round = `${contestant}-${concurrency}`;
				const bodies = events(DELIVERIES, round);
				// 5 % again (Bird's retries), and 1 % forged: neither may start anything.
				const repeats = bodies.filter((_, n) => n % 20 === 0);
				const forged = bodies.filter((_, n) => n % 100 === 1).map((body) => body.replace('bench', 'forged'));
				const requests = [...bodies, ...repeats].map((body) => {
					if (contestant === 'webhook') return { url: `${server!.url}/webhook/bench-webhook`, body, headers: {} as Record<string, string> };
					const event = JSON.parse(body).event as string;
					const stamp = String(Math.floor(Date.now() / 1000));
					const hook = subscription(event);
					return { url: String(hook?.url), body, headers: { 'messagebird-request-timestamp': stamp, 'messagebird-signature': signature(String(hook?.signingKey), stamp, String(hook?.url), Buffer.from(body)) } };
				});
				if (contestant === 'trigger') {
					for (const body of forged) requests.push({ url: String(subscription('whatsapp.outbound')?.url), body, headers: { 'messagebird-request-timestamp': String(Math.floor(Date.now() / 1000)), 'messagebird-signature': 'bm90IGEgc2lnbmF0dXJl' } });
				}
				const workflowId = contestant === 'trigger' ? 'benchTrigger' : 'benchWebhook';
				const before = await executionCount(server.url, server.cookie, workflowId);
				const fired = await fire(requests, concurrency);
				// Executions finish after their 200: wait until the count settles.
				let executions = -1;
				for (let settled = 0; settled < 3; ) {
					await new Promise((resolve) => setTimeout(resolve, 1000));
					const count = (await executionCount(server.url, server.cookie, workflowId)) - before;
					settled = count === executions ? settled + 1 : 0;
					executions = count;
				}
				results.push({
					contestant,
					concurrency,
					sent: requests.length,
					...fired,
					executions,
					// The Webhook node starts one for every request; the trigger one per event, none for repeats or forgeries.
					expected: contestant === 'webhook' ? requests.length : bodies.length,
					peakRssMb: peakRssMb(server.child),
				});
				console.log(`${contestant} × ${concurrency}: ${(requests.length / fired.seconds).toFixed(1)} deliveries/s, p50 ${fired.p50.toFixed(0)} ms, p99 ${fired.p99.toFixed(0)} ms, ${executions} executions, answers ${JSON.stringify(fired.statuses)}`);
			}
		}
	} finally {
		if (server) {
			server.child.kill('SIGTERM');
			await new Promise((resolve) => setTimeout(resolve, 3000));
			server.child.kill('SIGKILL');
		}
		await sandbox.stop();
		rmSync(userFolder, { recursive: true, force: true });
	}
	const own = ownCost(Math.min(DELIVERIES, 20_000));
	const rate = (result: Result) => result.sent / result.seconds;
	const lines = [
		`Bird's webhook deliveries into a real n8n (server mode, n8n's default settings), ${DELIVERIES} events + 5 % repeats (+ 1 % forged for the trigger):`,
		'',
		'| Contestant | In flight | Deliveries/s | × Webhook node | p50 ms | p99 ms | Executions (expected) | Answers | Peak RSS |',
		'| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
		...results.map((result) => {
			const webhook = results.find((other) => other.contestant === 'webhook' && other.concurrency === result.concurrency);
			const ratio = webhook ? (rate(result) / rate(webhook)).toFixed(2) : '';
			const name = result.contestant === 'trigger' ? 'Bird Channels Trigger' : "n8n's Webhook node";
			return `| ${name} | ${result.concurrency} | ${rate(result).toFixed(1)} | ${ratio} × | ${result.p50.toFixed(0)} | ${result.p99.toFixed(0)} | ${result.executions} (${result.expected}) | ${Object.entries(result.statuses).map(([status, n]) => `${n}× ${status}`).join(', ')} | ${result.peakRssMb ?? '?'} MB |`;
		}),
		'',
		`The package's own work per delivery (this process, ${Math.min(DELIVERIES, 20_000)} deliveries): signature check ${own.verifyUs.toFixed(1)} µs, repeat check ${own.repeatUs.toFixed(1)} µs.`,
	];
	return lines.join('\n');
}

if (require.main === module) {
	benchTrigger()
		.then((table) => console.log(`\n${table}`))
		.catch((error: Error) => {
			console.error(error);
			process.exit(1);
		});
}
