/**
 * `npm run bench`: sends batches of text messages to the Bird sandbox (in its own process), in a
 * real n8n where n8n is involved, and prints one table:
 *
 * - Send Message, one request per message (the default), and Send Message in batch mode (100
 *   messages per request, waiting for Bird's validation: the defaults of that mode);
 * - the HTTP Request node building the same request (On Error: Continue, no retries): what a
 *   user would otherwise build;
 * - "read parameters only": a bench-only node (scripts/bench-floor) that reads the parameters a
 *   text message has, per item, and sends nothing: what reading parameters costs in n8n;
 * - a raw `fetch` loop with every request started at once (at most 500 in flight).
 *
 * Phases: the sandbox unlimited (1,000 and 10,000 messages), then enforcing Bird's 500 POST/s
 * and 100 POST/s (1,000), then a workspace whose budget other senders share: 300 messages at
 * 50 POST/s, where the extra requests (429s) show how fast the pacing settles.
 *
 * For each: what Bird accepted once (delivered), more than once (duplicated), what failed, the
 * node's own execution time from n8n's run data (so n8n's start-up and the Code node that makes
 * the items do not count), items per second and their ratio to the HTTP Request node's, n8n's
 * peak memory (the whole `n8n execute` process), and the POST requests the sandbox saw.
 * BENCH_RUNS (default 3) runs at 1,000 and fewer; BENCH_RUNS_LARGE (default 2) above; the
 * table shows the median time and the worst counts. BENCH_SIZES changes the unlimited sizes.
 */
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import path from 'node:path';

import type { ExecutionResult } from './n8n';
import { ensureN8n, executeWorkflow, gitIgnoredCache, importInto, installPackage, n8nInstance, packPackage, ROOT } from './n8n';
import { benchTrigger } from './bench-trigger';
import { SANDBOX } from './sandbox/server';

const SIZES = (process.env.BENCH_SIZES ?? '1000,10000').split(',').map(Number);
const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 3));
const RUNS_LARGE = Math.max(1, Number(process.env.BENCH_RUNS_LARGE ?? 2));
const PORT = Number(process.env.BENCH_SANDBOX_PORT ?? 5690);
const SANDBOX_URL = `http://127.0.0.1:${PORT}`;
const CHANNEL = SANDBOX.channels.sms;
const MESSAGES_URL = `${SANDBOX_URL}/workspaces/${SANDBOX.workspaceId}/channels/${CHANNEL}/messages`;

type Contestant = 'perMessage' | 'batch' | 'batchN8nExpressions' | 'http' | 'floor' | 'fetch';
const LABELS: Record<Contestant, string> = {
	perMessage: 'Send Message, per message',
	batch: 'Send Message, batch mode',
	batchN8nExpressions: 'Send Message, batch mode, expressions n8n evaluates',
	http: 'HTTP Request node',
	floor: 'read parameters only',
	fetch: 'raw fetch loop',
};

interface Row {
	phase: string;
	items: number;
	contestant: Contestant;
	delivered: number;
	duplicated: number;
	failed: number;
	seconds: number;
	peakRssMb?: number;
	posts: number;
	rateLimited: number;
}

const phone = (i: number) => `+3162${String(i).padStart(7, '0')}`;

/** Manual trigger → Code (the items) → the contestant's node. */
function workflow(id: string, items: number, sender: Record<string, unknown>) {
	const code = `return Array.from({ length: ${items} }, (_, i) => ({ json: { phone: '+3162' + String(i).padStart(7, '0'), text: 'bench ' + i } }));`;
	return {
		id,
		name: `Benchmark: ${String(sender.name)}, ${items}`,
		active: false,
		settings: { executionOrder: 'v1' },
		connections: {
			Start: { main: [[{ node: 'Items', type: 'main', index: 0 }]] },
			Items: { main: [[{ node: String(sender.name), type: 'main', index: 0 }]] },
		},
		nodes: [
			{ id: 'b1', name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
			{ id: 'b2', name: 'Items', type: 'n8n-nodes-base.code', typeVersion: 2, position: [200, 0], parameters: { jsCode: code } },
			{ id: 'b3', position: [400, 0], onError: 'continueRegularOutput', ...sender },
		],
	};
}

const textMessage = {
	channelId: { __rl: true, mode: 'id', value: CHANNEL },
	identifierValue: '={{ $json.phone }}',
	messageType: 'text',
	text: '={{ $json.text }}',
};
const birdCredential = { birdChannelsApi: { id: 'birdBenchCred1', name: 'Bird sandbox' } };

const SENDERS: Record<Exclude<Contestant, 'fetch'>, Record<string, unknown>> = {
	perMessage: { name: 'Send Message', type: 'n8n-nodes-bird.birdSendMessage', typeVersion: 1, credentials: birdCredential, parameters: textMessage },
	batch: { name: 'Send Message', type: 'n8n-nodes-bird.birdSendMessage', typeVersion: 1, credentials: birdCredential, parameters: { ...textMessage, sendMode: 'batch' } },
	// The same, with expressions the fast path for item reads (nodes/shared/fastExpressions.ts) leaves to n8n: its fallback's cost.
	batchN8nExpressions: {
		name: 'Send Message',
		type: 'n8n-nodes-bird.birdSendMessage',
		typeVersion: 1,
		credentials: birdCredential,
		parameters: { ...textMessage, identifierValue: '={{ $json.phone.trim() }}', text: '={{ $json.text.trim() }}', sendMode: 'batch' },
	},
	floor: { name: 'Read parameters', type: 'CUSTOM.birdBenchFloor', typeVersion: 1, parameters: textMessage },
	http: {
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
	},
};

const workflowId = (contestant: string, items: number) => `birdBench${contestant}${items}`;

async function control(pathname: string, body?: unknown): Promise<unknown> {
	const response = await fetch(`${SANDBOX_URL}/_sandbox/${pathname}`, {
		method: body === undefined ? 'GET' : 'POST',
		headers: { 'content-type': 'application/json' },
		body: body === undefined ? undefined : JSON.stringify(body),
	});
	return await response.json();
}

/** What the sandbox saw: messages accepted once and more than once, and the POST requests (429s among them). */
async function sandboxCounts(): Promise<{ delivered: number; duplicated: number; posts: number; rateLimited: number }> {
	const { results: messages } = (await control('messages')) as { results: Array<{ direction: string; status?: string; body?: { text?: { text?: string } } }> };
	const { log } = (await control('state')) as { log: Array<{ method: string; status: number }> };
	const texts = messages.filter((message) => message.direction === 'outgoing' && message.status !== 'rejected').map((message) => message.body?.text?.text);
	const distinct = new Set(texts).size;
	const posts = log.filter((entry) => entry.method === 'POST');
	return { delivered: distinct, duplicated: texts.length - distinct, posts: posts.length, rateLimited: posts.filter((entry) => entry.status === 429).length };
}

function nodeRun(result: ExecutionResult, node: string) {
	const task = result.run?.data.resultData.runData[node]?.[0] as
		| { executionTime?: number; data?: { main: Array<Array<{ json: Record<string, unknown> }> | null> } }
		| undefined;
	if (!task?.executionTime) throw new Error(`no run data for ${node}:\n${result.output.slice(-2000)}`);
	const items = task.data?.main[0] ?? [];
	return { seconds: task.executionTime / 1000, failed: items.filter((item) => item.json.error !== undefined).length, peakRssMb: result.peakRssMb };
}

async function fetchLoop(items: number): Promise<{ seconds: number; failed: number }> {
	const started = performance.now();
	let next = 0;
	let failed = 0;
	const worker = async () => {
		for (let i = next++; i < items; i = next++) {
			try {
				const response = await fetch(MESSAGES_URL, {
					method: 'POST',
					headers: { authorization: `AccessKey ${SANDBOX.accessKey}`, 'content-type': 'application/json', accept: 'application/json' },
					body: JSON.stringify({ receiver: { contacts: [{ identifierKey: 'phonenumber', identifierValue: phone(i) }] }, body: { type: 'text', text: { text: `bench ${i}` } } }),
				});
				await response.arrayBuffer();
				if (response.status !== 202) failed++;
			} catch {
				failed++;
			}
		}
	};
	await Promise.all(Array.from({ length: Math.min(500, items) }, worker));
	return { seconds: (performance.now() - started) / 1000, failed };
}

const rate = (row: Row) => row.items / row.seconds;

function table(rows: Row[]): string {
	const http = (row: Row) => rows.find((candidate) => candidate.phase === row.phase && candidate.items === row.items && candidate.contestant === 'http');
	const header = ['Phase', 'Items', 'Contestant', 'Delivered', 'Duplicated', 'Failed', 'Time (s)', 'ms/item', 'Items/s', '× HTTP Request', 'Peak RSS (MB)', 'POSTs (429)'];
	const lines = rows.map((row) => {
		const base = http(row);
		return [
			row.phase,
			String(row.items),
			LABELS[row.contestant],
			row.contestant === 'floor' ? '–' : `${row.delivered} / ${row.items}`,
			row.contestant === 'floor' ? '–' : String(row.duplicated),
			String(row.failed),
			row.seconds.toFixed(2),
			((row.seconds * 1000) / row.items).toFixed(2),
			rate(row).toFixed(0),
			base ? (rate(row) / rate(base)).toFixed(2) : '–',
			row.peakRssMb ? row.peakRssMb.toFixed(0) : '–',
			row.contestant === 'floor' ? '–' : `${row.posts} (${row.rateLimited})`,
		];
	});
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
		const n8n = n8nInstance(runtime, userFolder, { N8N_CUSTOM_EXTENSIONS: path.join(ROOT, '.cache', 'scripts', 'bench-floor') });
		await importInto(n8n, 'credentials', [
			{ id: 'birdBenchCred1', name: 'Bird sandbox', type: 'birdChannelsApi', data: { apiKey: SANDBOX.accessKey, workspaceId: SANDBOX.workspaceId, baseUrl: SANDBOX_URL } },
			{ id: 'birdBenchHeader1', name: 'Bird access key header', type: 'httpHeaderAuth', data: { name: 'Authorization', value: `AccessKey ${SANDBOX.accessKey}` } },
		]);
		const sizes = [...new Set([...SIZES, 1000, 300])];
		await importInto(
			n8n,
			'workflow',
			sizes.flatMap((items) => Object.entries(SENDERS).map(([contestant, sender]) => workflow(workflowId(contestant, items), items, sender))),
		);

		const phases: Array<{ phase: string; items: number; limit: number; contestants: Contestant[] }> = [
			...SIZES.map((items) => ({ phase: 'unlimited', items, limit: 0, contestants: ['perMessage', 'batch', 'batchN8nExpressions', 'http', 'floor', 'fetch'] as Contestant[] })),
			{ phase: 'Bird limit 500 POST/s', items: 1000, limit: 500, contestants: ['perMessage', 'batch', 'http', 'fetch'] },
			{ phase: 'Bird limit 100 POST/s', items: 1000, limit: 100, contestants: ['perMessage', 'batch', 'http', 'fetch'] },
			{ phase: 'shared budget 50 POST/s', items: 300, limit: 50, contestants: ['perMessage', 'http'] },
		];
		const rows: Row[] = [];
		for (const { phase, items, limit, contestants } of phases) {
			for (const contestant of contestants) {
				const runs: Row[] = [];
				for (let attempt = 0; attempt < (items > 1000 ? RUNS_LARGE : RUNS); attempt++) {
					await control('reset', {});
					await control('rate-limit', { enabled: limit > 0, post: limit || 500, get: 50 });
					// Start every run in a fresh one-second window of the sandbox's limiter.
					await new Promise((resolve) => setTimeout(resolve, 1100));
					const outcome =
						contestant === 'fetch'
							? await fetchLoop(items)
							: nodeRun(await executeWorkflow(n8n, workflowId(contestant, items)), String(SENDERS[contestant].name));
					const row: Row = { phase, items, contestant, ...(await sandboxCounts()), ...outcome };
					runs.push(row);
					console.log(
						`${phase}, ${items}, ${LABELS[contestant]}: ${row.delivered} delivered, ${row.duplicated} twice, ${row.failed} failed in ${row.seconds.toFixed(2)} s, ${row.posts} POSTs (${row.rateLimited} 429)${row.peakRssMb ? `, peak ${row.peakRssMb.toFixed(0)} MB` : ''}`,
					);
				}
				const median = [...runs].sort((a, b) => a.seconds - b.seconds)[Math.floor(runs.length / 2)];
				rows.push({
					...median,
					delivered: Math.min(...runs.map((row) => row.delivered)),
					duplicated: Math.max(...runs.map((row) => row.duplicated)),
					failed: Math.max(...runs.map((row) => row.failed)),
					posts: Math.max(...runs.map((row) => row.posts)),
					rateLimited: Math.max(...runs.map((row) => row.rateLimited)),
					peakRssMb: Math.max(...runs.map((row) => row.peakRssMb ?? 0)) || undefined,
				});
			}
		}

		const find = (phase: string, items: number, contestant: Contestant) => rows.find((row) => row.phase === phase && row.items === items && row.contestant === contestant);
		const ratio = (a?: Row, b?: Row) => (a && b ? (rate(a) / rate(b)).toFixed(2) : '–');
		const summary = SIZES.map((items) => {
			const [perMessage, batch, http, floor] = (['perMessage', 'batch', 'http', 'floor'] as Contestant[]).map((contestant) => find('unlimited', items, contestant));
			return `${items} messages, unlimited: per message ${ratio(perMessage, http)} × the HTTP Request node, batch mode ${ratio(batch, http)} ×; batch mode takes ${batch && floor ? (batch.seconds / floor.seconds).toFixed(2) : '–'} × the time of reading the parameters alone; peak memory ${perMessage?.peakRssMb?.toFixed(0)} / ${batch?.peakRssMb?.toFixed(0)} MB (per message / batch) against ${http?.peakRssMb?.toFixed(0)} MB (HTTP Request).`;
		});
		const shared = find('shared budget 50 POST/s', 300, 'perMessage');
		console.log(`
Benchmark, ${new Date().toISOString().slice(0, 10)}: n8n ${runtime.version} (Node ${runtime.node === process.execPath ? process.versions.node : 'from the npm registry'}), ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, ${Math.round(totalmem() / 2 ** 30)} GB. ${RUNS} run(s) at 1,000 and fewer, ${RUNS_LARGE} above (median time, worst counts).

${table(rows)}

${summary.join('\n')}
Shared budget (300 messages at 50 POST/s): Send Message used ${shared?.posts} requests (${shared?.rateLimited} answered 429: ${shared ? (((shared.posts - 300) / 300) * 100).toFixed(0) : '–'} % extra).`);
	} finally {
		sandbox.kill();
	}
	// The last phase: Bird's webhook deliveries through Bird Channels Trigger against n8n's Webhook node.
	console.log(`\n${await benchTrigger()}`);
}

main().catch((error: Error) => {
	console.error(error.stack ?? error.message);
	process.exit(1);
});
