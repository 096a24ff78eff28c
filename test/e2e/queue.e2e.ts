/**
 * n8n's queue mode, for real: Redis and PostgreSQL on 127.0.0.1 (Debian's packages), an n8n main
 * process that takes webhooks and two `n8n worker` processes that run the executions, each with
 * the packed package installed as users install it, all against the Bird sandbox enforcing
 * Bird's limits (500 sends and 50 lookups per second per workspace).
 *
 * - The example "answer incoming messages": customers write in, the main process verifies
 *   Bird's deliveries and queues them, the workers answer; every message answered once, a
 *   redelivery (Bird retries for 8 hours) starts nothing.
 * - Bulk sends split across executions on both workers, first with each worker pacing at
 *   Bird's whole limit, then with the credential saying two processes share it. Every message
 *   is delivered exactly once either way; the 429s and extra requests of both runs are printed
 *   (docs/benchmarks.md records them).
 *
 * `npm run test:queue` runs this file alone.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import type { IDataObject } from 'n8n-workflow';

import { ensureN8n, freePort, importInto, installPackage, n8nInstance, packPackage, publishWorkflow, startWorker } from '../../scripts/n8n';
import type { QueueServices } from '../../scripts/queue';
import { startQueueServices } from '../../scripts/queue';
import { BirdSandbox, SANDBOX } from '../../scripts/sandbox/server';
import type { RunningN8n } from './n8n-server';
import { eventually, startN8nServer } from './n8n-server';
import { CREDENTIAL, publishExample, sandboxCredential } from './n8n-with-sandbox';

const WORKERS = 2;
const CONCURRENCY = 5;
/** Executions per bulk run and recipients per execution. */
const EXECUTIONS = 8;
const PER_EXECUTION = 500;

const SHARED_CREDENTIAL = { id: 'birdSandboxShared2', name: 'Bird sandbox (2 processes)' };

const sandbox = new BirdSandbox();
let services: QueueServices | undefined;
let main: RunningN8n | undefined;
const workers: Array<{ child: ChildProcess; log: string[]; folder: string }> = [];
let answerWorkflow: IDataObject & { id: string; nodes: IDataObject[] };

/** Webhook → Split Out → Send Message (SMS), sending with the given credential. */
function bulkWorkflow(id: string, webhookPath: string, webhookId: string, credential: { id: string; name: string }) {
	return {
		id,
		name: `Bulk send (${credential.name})`,
		active: false,
		nodes: [
			{
				id: `${id}-0`,
				name: 'Webhook',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2,
				position: [0, 0],
				webhookId,
				parameters: { httpMethod: 'POST', path: webhookPath, responseMode: 'onReceived', options: {} },
			},
			{
				id: `${id}-1`,
				name: 'Recipients',
				type: 'n8n-nodes-base.splitOut',
				typeVersion: 1,
				position: [220, 0],
				parameters: { fieldToSplitOut: 'body.recipients', options: {} },
			},
			{
				id: `${id}-2`,
				name: 'Send Message',
				type: 'n8n-nodes-bird.birdSendMessage',
				typeVersion: 1.1,
				position: [440, 0],
				parameters: {
					channelId: { __rl: true, mode: 'id', value: SANDBOX.channels.sms },
					identifierValue: '={{ $json.phone }}',
					messageType: 'text',
					text: '={{ $json.text }}',
				},
				credentials: { birdChannelsApi: credential },
			},
		],
		connections: {
			Webhook: { main: [[{ node: 'Recipients', type: 'main', index: 0 }]] },
			Recipients: { main: [[{ node: 'Send Message', type: 'main', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
	};
}

const BULK = [
	{ workflow: bulkWorkflow('birdQueueBulk1', 'bulk-own-pace', '0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d', CREDENTIAL), label: 'each worker paces at the whole limit (processes: 1)' },
	{ workflow: bulkWorkflow('birdQueueBulk2', 'bulk-shared-pace', '1c2d3e4f-5061-4b7c-9d8e-0f1a2b3c4d5e', SHARED_CREDENTIAL), label: 'the credential says 2 processes share it' },
];

beforeAll(async () => {
	services = await startQueueServices();
	await sandbox.start();
	const tarball = packPackage();
	main = await startN8nServer({
		tarball,
		env: services.env,
		prepare: async (instance) => {
			answerWorkflow = await publishExample(instance, sandbox.url, 'answer-incoming-messages.json');
			const base = sandboxCredential(sandbox.url);
			await importInto(instance, 'credentials', [{ ...base, ...SHARED_CREDENTIAL, data: { ...base.data, processes: 2 } }]);
			for (const { workflow } of BULK) {
				await importInto(instance, 'workflow', [workflow]);
				await publishWorkflow(instance, workflow.id);
			}
		},
	});
	const runtime = ensureN8n();
	for (let index = 0; index < WORKERS; index++) {
		const folder = mkdtempSync(path.join(tmpdir(), `n8n-bird-worker${index + 1}-`));
		installPackage(folder, tarball);
		const instance = n8nInstance(runtime, folder, { ...services.env, N8N_PORT: String(await freePort()) });
		const child = startWorker(instance, { concurrency: CONCURRENCY, brokerPort: await freePort() });
		const log: string[] = [];
		const collect = (chunk: Buffer) => log.push(...chunk.toString('utf8').split('\n').filter(Boolean));
		child.stdout?.on('data', collect);
		child.stderr?.on('data', collect);
		workers.push({ child, log, folder });
	}
	for (const [index, worker] of workers.entries()) {
		await eventually(
			`worker ${index + 1} to be ready`,
			() => {
				if (worker.child.exitCode !== null) throw new Error(`worker ${index + 1} exited:\n${worker.log.slice(-30).join('\n')}`);
				return worker.log.some((line) => line.includes('n8n worker is now ready')) ? true : undefined;
			},
			120_000,
		);
	}
	await eventually('the trigger to subscribe at the sandbox', () => (sandbox.webhooks.subscriptions.length === 2 ? true : undefined), 90_000);
	sandbox.rateLimit = { enabled: true, post: 500, get: 50 };
}, 20 * 60_000);

afterAll(async () => {
	for (const worker of workers) {
		if (worker.child.exitCode === null) {
			const exited = new Promise((resolve) => worker.child.once('exit', resolve));
			worker.child.kill('SIGTERM');
			await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 15_000))]);
			worker.child.kill('SIGKILL');
		}
		worker.child.stdout?.destroy();
		worker.child.stderr?.destroy();
		rmSync(worker.folder, { recursive: true, force: true });
	}
	await main?.stop();
	await sandbox.stop();
	await services?.stop();
}, 120_000);

/** Execution IDs each worker started, from its log. */
const startedBy = () => workers.map((worker) => worker.log.filter((line) => /Worker started execution \d+/.test(line)).length);

/** The workflow's executions, from n8n's PostgreSQL database, oldest first. */
function executionsOf(workflowId: string): Array<{ id: string; status: string }> {
	return services!
		.sql(`SELECT id, status FROM execution_entity WHERE "workflowId" = '${workflowId}' ORDER BY id`)
		.map(([id, status]) => ({ id, status }));
}

const outgoingTexts = () =>
	sandbox.messages.filter((message) => message.direction === 'outgoing').map((message) => ((message.body as IDataObject | undefined)?.text as IDataObject | undefined)?.text as string | undefined);

test('customers write in: the main process queues each verified delivery, the workers answer each message once, a redelivery starts nothing', async () => {
	const customers = Array.from({ length: 10 }, (_, index) => ({ phone: `+3162000${String(index).padStart(4, '0')}`, text: `Question ${index + 1}` }));
	const before = startedBy().reduce((sum, count) => sum + count, 0);
	for (const customer of customers) await sandbox.inbound({ identifierValue: customer.phone, text: customer.text });
	await eventually(
		'an answer to every customer',
		() => (customers.every((customer) => outgoingTexts().some((text) => text?.includes(`"${customer.text}"`))) ? true : undefined),
		120_000,
	);
	const list = await eventually('10 finished executions', async () => {
		const found = executionsOf(answerWorkflow.id);
		return found.length >= customers.length && found.every((execution) => !['new', 'running'].includes(execution.status)) ? found : undefined;
	}, 60_000);
	expect(list.map((execution) => execution.status)).toEqual(customers.map(() => 'success'));
	expect(startedBy().reduce((sum, count) => sum + count, 0) - before).toBe(customers.length);

	// Bird retries a delivery it thinks failed: the main process knows it, so nothing runs again.
	const replayed = await sandbox.webhooks.redeliver();
	expect(replayed?.attempts.at(-1)?.status).toBe(200);
	await new Promise((resolve) => setTimeout(resolve, 5000));
	expect(executionsOf(answerWorkflow.id)).toHaveLength(customers.length);
	for (const customer of customers) {
		expect(outgoingTexts().filter((text) => text?.includes(`"${customer.text}"`))).toHaveLength(1);
	}
}, 240_000);

describe.each(BULK.map((bulk, index) => ({ ...bulk, index })))('bulk send through both workers: $label', ({ workflow, index }) => {
	test(`${EXECUTIONS} executions of ${PER_EXECUTION} messages: every message delivered exactly once, both workers sent`, async () => {
		sandbox.log.length = 0;
		const startedBefore = startedBy();
		const texts = Array.from({ length: EXECUTIONS * PER_EXECUTION }, (_, n) => `bulk ${index + 1} message ${n + 1}`);
		const began = Date.now();
		for (let execution = 0; execution < EXECUTIONS; execution++) {
			const recipients = texts.slice(execution * PER_EXECUTION, (execution + 1) * PER_EXECUTION).map((text, n) => ({
				phone: `+316${index + 1}${String(execution * PER_EXECUTION + n).padStart(6, '0')}`,
				text,
			}));
			const response = await fetch(`${main!.url}/webhook/${workflow.nodes[0].parameters.path}`, {
				method: 'POST',
				headers: { 'content-type': 'application/json', connection: 'close' },
				body: JSON.stringify({ recipients }),
			});
			expect(response.status).toBe(200);
		}
		const finished = await eventually(
			`${EXECUTIONS} finished executions`,
			async () => {
				const found = executionsOf(workflow.id);
				return found.length >= EXECUTIONS && found.every((execution) => !['new', 'running', 'waiting'].includes(execution.status)) ? found : undefined;
			},
			10 * 60_000,
		);
		const seconds = (Date.now() - began) / 1000;
		expect(finished.map((execution) => execution.status)).toEqual(Array(EXECUTIONS).fill('success'));

		const sent = outgoingTexts().filter((text) => text?.startsWith(`bulk ${index + 1} `));
		expect(sent).toHaveLength(texts.length);
		expect(new Set(sent).size).toBe(texts.length);

		const startedNow = startedBy().map((count, worker) => count - startedBefore[worker]);
		expect(startedNow.every((count) => count > 0)).toBe(true);
		expect(startedNow.reduce((sum, count) => sum + count, 0)).toBe(EXECUTIONS);

		const posts = sandbox.log.filter((entry) => entry.method === 'POST' && entry.path.endsWith('/messages'));
		const limited = posts.filter((entry) => entry.status === 429).length;
		if (process.env.BIRD_QUEUE_TRACE) {
			// Per 100 ms from the first POST: accepted/refused.
			const start = posts[0]?.at ?? 0;
			const slots = new Map<number, [number, number]>();
			for (const entry of posts) {
				const slot = Math.floor((entry.at - start) / 100);
				const counts = slots.get(slot) ?? [0, 0];
				counts[entry.status === 429 ? 1 : 0]++;
				slots.set(slot, counts);
			}
			console.log([...slots].map(([slot, [ok, no]]) => `${(slot / 10).toFixed(1)}:${ok}${no ? `/${no}` : ''}`).join(' '));
		}
		console.log(
			`queue mode, ${WORKERS} workers × concurrency ${CONCURRENCY}, ${texts.length} messages in ${EXECUTIONS} executions, ${workflow.name}: ` +
				`${posts.length} POSTs (${limited} answered 429, ${((100 * (posts.length - texts.length)) / texts.length).toFixed(1)} % extra), ` +
				`${(texts.length / seconds).toFixed(0)} messages/s end to end (${seconds.toFixed(1)} s), executions per worker ${startedNow.join(' / ')}`,
		);
	}, 11 * 60_000);
});

test('no log of the main process or the workers, nor PostgreSQL’s, holds the access key', () => {
	const logs = [main!.log.join('\n'), ...workers.map((worker) => worker.log.join('\n'))];
	expect(logs.every((log) => log.length > 0)).toBe(true);
	for (const log of logs) expect(log).not.toContain(SANDBOX.accessKey);
	const postgresLog = readFileSync(path.join(services!.postgres.data, 'server.log'), 'utf8');
	expect(postgresLog).not.toContain(SANDBOX.accessKey);
});
