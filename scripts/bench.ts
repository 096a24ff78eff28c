/**
 * `npm run bench`: sends the same batch of text messages to the Bird sandbox three ways, in a
 * real n8n where n8n is involved, first with the sandbox unlimited and then with it enforcing
 * Bird's 500 POST/s per workspace:
 *
 * - the Send Message node of this package (defaults: paced, retried);
 * - an HTTP Request node that builds the same request (On Error: Continue, no retries), the
 *   workflow a user would otherwise build;
 * - a raw `fetch` loop that starts every request at once, as n8n starts a node's items.
 *
 * For each it prints what Bird accepted (delivered), what it accepted more than once
 * (duplicated), what failed, and items per second. n8n's times are the node's own execution
 * time from the run data, so n8n's start-up and the Code node that makes the items do not count.
 * Each contestant runs BENCH_RUNS times (default 3); the table shows the median time and the
 * worst counts. BENCH_ITEMS changes the batch size (default 1000).
 */
import { spawn } from 'node:child_process';
import { cpus } from 'node:os';
import path from 'node:path';
import { rmSync } from 'node:fs';

import type { ExecutionResult } from './n8n';
import { ensureN8n, executeWorkflow, gitIgnoredCache, importInto, installPackage, n8nInstance, packPackage, ROOT } from './n8n';
import { SANDBOX } from './sandbox/server';

const ITEMS = Number(process.env.BENCH_ITEMS ?? 1000);
const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 3));
const PORT = Number(process.env.BENCH_SANDBOX_PORT ?? 5690);
const SANDBOX_URL = `http://127.0.0.1:${PORT}`;
const MESSAGES_URL = `${SANDBOX_URL}/workspaces/${SANDBOX.workspaceId}/channels/${SANDBOX.channels.sms}/messages`;

interface Row {
	phase: string;
	contestant: string;
	delivered: number;
	duplicated: number;
	failed: number;
	seconds: number;
}

const itemsCode = `return Array.from({ length: ${ITEMS} }, (_, i) => ({ json: { phone: '+3162' + String(i).padStart(7, '0'), text: 'bench ' + i } }));`;

/** Manual trigger → Code (the batch) → `sender`. */
function workflow(id: string, sender: Record<string, unknown>) {
	return {
		id,
		name: `Benchmark: ${String(sender.name)}`,
		active: false,
		settings: { executionOrder: 'v1' },
		connections: {
			Start: { main: [[{ node: 'Batch', type: 'main', index: 0 }]] },
			Batch: { main: [[{ node: String(sender.name), type: 'main', index: 0 }]] },
		},
		nodes: [
			{ id: 'b1', name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
			{ id: 'b2', name: 'Batch', type: 'n8n-nodes-base.code', typeVersion: 2, position: [200, 0], parameters: { jsCode: itemsCode } },
			{ id: 'b3', position: [400, 0], onError: 'continueRegularOutput', ...sender },
		],
	};
}

const birdWorkflow = workflow('birdBenchSend1', {
	name: 'Send Message',
	type: 'n8n-nodes-bird.birdSendMessage',
	typeVersion: 1,
	credentials: { birdApi: { id: 'birdBenchCred1', name: 'Bird sandbox' } },
	parameters: {
		channelId: { __rl: true, mode: 'id', value: SANDBOX.channels.sms },
		identifierValue: '={{ $json.phone }}',
		messageType: 'text',
		text: '={{ $json.text }}',
	},
});

const httpWorkflow = workflow('birdBenchHttp1', {
	name: 'HTTP Request',
	type: 'n8n-nodes-base.httpRequest',
	typeVersion: 4.2,
	credentials: { httpHeaderAuth: { id: 'birdBenchHeader1', name: 'Bird access key header' } },
	parameters: {
		method: 'POST',
		url: MESSAGES_URL,
		authentication: 'genericCredentialType',
		genericAuthType: 'httpHeaderAuth',
		sendBody: true,
		specifyBody: 'json',
		jsonBody:
			"={{ JSON.stringify({ receiver: { contacts: [{ identifierKey: 'phonenumber', identifierValue: $json.phone }] }, body: { type: 'text', text: { text: $json.text } } }) }}",
		options: {},
	},
});

async function control(pathname: string, body?: unknown): Promise<unknown> {
	const response = await fetch(`${SANDBOX_URL}/_sandbox/${pathname}`, {
		method: body === undefined ? 'GET' : 'POST',
		headers: { 'content-type': 'application/json' },
		body: body === undefined ? undefined : JSON.stringify(body),
	});
	return await response.json();
}

/** What the sandbox accepted: delivered (distinct messages) and duplicated (accepted again). */
async function accepted(): Promise<{ delivered: number; duplicated: number }> {
	const { results } = (await control('messages')) as { results: Array<{ direction: string; body?: { text?: { text?: string } } }> };
	const texts = results.filter((message) => message.direction === 'outgoing').map((message) => message.body?.text?.text);
	const distinct = new Set(texts).size;
	return { delivered: distinct, duplicated: texts.length - distinct };
}

function nodeRun(result: ExecutionResult, node: string) {
	const task = result.run?.data.resultData.runData[node]?.[0] as
		| { executionTime?: number; data?: { main: Array<Array<{ json: Record<string, unknown> }> | null> } }
		| undefined;
	if (!task?.executionTime) throw new Error(`no run data for ${node}:\n${result.output.slice(-2000)}`);
	const items = task.data?.main[0] ?? [];
	return { seconds: task.executionTime / 1000, failed: items.filter((item) => item.json.error !== undefined).length };
}

async function fetchLoop(): Promise<{ seconds: number; failed: number }> {
	const started = performance.now();
	const statuses = await Promise.all(
		Array.from({ length: ITEMS }, async (_, i) => {
			try {
				const response = await fetch(MESSAGES_URL, {
					method: 'POST',
					headers: { authorization: `AccessKey ${SANDBOX.accessKey}`, 'content-type': 'application/json', accept: 'application/json' },
					body: JSON.stringify({
						receiver: { contacts: [{ identifierKey: 'phonenumber', identifierValue: `+3162${String(i).padStart(7, '0')}` }] },
						body: { type: 'text', text: { text: `bench ${i}` } },
					}),
				});
				await response.arrayBuffer();
				return response.status;
			} catch {
				return 0;
			}
		}),
	);
	return { seconds: (performance.now() - started) / 1000, failed: statuses.filter((status) => status !== 202).length };
}

function table(rows: Row[]): string {
	const header = ['Phase', 'Contestant', 'Delivered', 'Duplicated', 'Failed', 'Time (s)', 'Delivered/s'];
	const lines = rows.map((row) => [
		row.phase,
		row.contestant,
		`${row.delivered} / ${ITEMS}`,
		String(row.duplicated),
		String(row.failed),
		row.seconds.toFixed(2),
		(row.delivered / row.seconds).toFixed(0),
	]);
	return [header, header.map(() => '---'), ...lines].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

async function main() {
	const runtime = ensureN8n();
	const userFolder = gitIgnoredCache('bench-home');
	rmSync(userFolder, { recursive: true, force: true });
	installPackage(userFolder, packPackage());
	const sandbox = spawn(process.execPath, [path.join(ROOT, '.cache', 'scripts', 'sandbox', 'main.js'), String(PORT)], { stdio: 'ignore' });
	try {
		for (let attempt = 0; ; attempt++) {
			const up = await fetch(`${SANDBOX_URL}/_sandbox/messages`).then((r) => r.ok).catch(() => false);
			if (up) break;
			if (attempt > 50) throw new Error(`the sandbox did not start on port ${PORT}`);
			await new Promise((resolve) => setTimeout(resolve, 100));
		}
		const n8n = n8nInstance(runtime, userFolder);
		await importInto(n8n, 'credentials', [
			{ id: 'birdBenchCred1', name: 'Bird sandbox', type: 'birdApi', data: { apiKey: SANDBOX.accessKey, workspaceId: SANDBOX.workspaceId, baseUrl: SANDBOX_URL } },
			{ id: 'birdBenchHeader1', name: 'Bird access key header', type: 'httpHeaderAuth', data: { name: 'Authorization', value: `AccessKey ${SANDBOX.accessKey}` } },
		]);
		await importInto(n8n, 'workflow', [birdWorkflow, httpWorkflow]);

		const rows: Row[] = [];
		for (const phase of [
			{ name: 'unlimited', limit: 0 },
			{ name: 'Bird limit 500 POST/s', limit: 500 },
			// A workspace whose budget other senders share, or a faster n8n: the limit really bites.
			{ name: 'Bird limit 100 POST/s', limit: 100 },
		]) {
			const contestants: Array<[string, () => Promise<{ seconds: number; failed: number }>]> = [
				['Send Message node', async () => nodeRun(await executeWorkflow(n8n, birdWorkflow.id), 'Send Message')],
				['HTTP Request node', async () => nodeRun(await executeWorkflow(n8n, httpWorkflow.id), 'HTTP Request')],
				['raw fetch loop', fetchLoop],
			];
			for (const [contestant, run] of contestants) {
				const runs: Row[] = [];
				for (let attempt = 0; attempt < RUNS; attempt++) {
					await control('reset', {});
					await control('rate-limit', { enabled: phase.limit > 0, post: phase.limit || 500, get: 50 });
					// Start every run in a fresh one-second window of the sandbox's limiter.
					await new Promise((resolve) => setTimeout(resolve, 1100));
					const { seconds, failed } = await run();
					const row = { phase: phase.name, contestant, ...(await accepted()), failed, seconds };
					runs.push(row);
					console.log(`${phase.name}, ${contestant}: ${row.delivered} delivered, ${row.duplicated} duplicated, ${failed} failed in ${seconds.toFixed(2)} s`);
				}
				const times = runs.map((row) => row.seconds).sort((a, b) => a - b);
				rows.push({
					phase: phase.name,
					contestant,
					delivered: Math.min(...runs.map((row) => row.delivered)),
					duplicated: Math.max(...runs.map((row) => row.duplicated)),
					failed: Math.max(...runs.map((row) => row.failed)),
					seconds: times[Math.floor(times.length / 2)],
				});
			}
		}

		const rate = (row: Row) => row.delivered / row.seconds;
		const [bird, http, raw, birdLimited, httpLimited, , birdLow, httpLow] = rows;
		console.log(`
Benchmark: ${ITEMS} text messages, ${RUNS} run(s) each (median time, worst counts), n8n ${runtime.version} (Node ${runtime.node === process.execPath ? process.versions.node : 'from the npm registry'}), ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}

${table(rows)}

Unlimited: Send Message / HTTP Request = ${(rate(bird) / rate(http)).toFixed(2)}, Send Message / raw fetch = ${(rate(bird) / rate(raw)).toFixed(2)}, HTTP Request / raw fetch = ${(rate(http) / rate(raw)).toFixed(2)}
At 500 POST/s: Send Message delivered ${birdLimited.delivered} of ${ITEMS} (${birdLimited.duplicated} twice) at ${((rate(birdLimited) / 500) * 100).toFixed(0)} % of the ceiling; the HTTP Request node delivered ${httpLimited.delivered} of ${ITEMS}.
At 100 POST/s: Send Message delivered ${birdLow.delivered} of ${ITEMS} (${birdLow.duplicated} twice) at ${((rate(birdLow) / 100) * 100).toFixed(0)} % of the ceiling; the HTTP Request node delivered ${httpLow.delivered} of ${ITEMS}.`);
	} finally {
		sandbox.kill();
	}
}

main().catch((error: Error) => {
	console.error(error.stack ?? error.message);
	process.exit(1);
});
