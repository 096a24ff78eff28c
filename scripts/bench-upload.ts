/**
 * `npm run build && npm run build:scripts && node .cache/scripts/bench-upload.js`: what uploading
 * one file costs in memory. A 100 MiB file (BENCH_UPLOAD_MIB) goes through Bird's pre-signed upload
 * to a storage server on 127.0.0.1 (its own process; it counts the bytes and keeps none), and the
 * peak memory above the baseline is printed for:
 *
 * - n8n's filesystem binary mode (the item's binary data has an id, the file is on disk): the
 *   package's upload as built in dist/ (streamed from the store), and the approach it replaced
 *   (getBinaryDataBuffer, then Buffer.concat of the multipart body), through the same transport;
 * - n8n's in-memory mode (base64 in the item): the package's upload (decoded straight into the
 *   body) and the replaced approach (decoded, then concatenated).
 *
 * Each measurement runs in a process of its own, through n8n-core's own ExecuteContext and
 * BinaryDataService: after a warm-up upload of 1 MiB and a full GC, `process.memoryUsage()` is
 * sampled every 2 ms. "Heap + buffers" is heapUsed + arrayBuffers (what JavaScript holds, garbage
 * not yet collected included); RSS is the whole process, allocator and all. A second run of each
 * collects garbage before every sample (every 50 ms): "live" is what the upload really holds.
 * BENCH_UPLOAD_RUNS (default 1) repeats each; the table shows the worst run.
 */
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

import { Container } from '@n8n/di';
import { BinaryDataConfig, BinaryDataService, ExecuteContext } from 'n8n-core';
import type {
	IBinaryData,
	ICredentialDataDecryptedObject,
	IDataObject,
	IHttpRequestOptions,
	IN8nHttpFullResponse,
	INode,
	INodeType,
	INodeTypes,
	IWorkflowExecuteAdditionalData,
} from 'n8n-workflow';
import { createEmptyRunExecutionData, ICredentialsHelper, Workflow } from 'n8n-workflow';

import { ROOT } from './n8n';

const MiB = 1024 * 1024;
const FILE_BYTES = Number(process.env.BENCH_UPLOAD_MIB ?? 100) * MiB;
const RUNS = Math.max(1, Number(process.env.BENCH_UPLOAD_RUNS ?? 1));
const WARM_UP_BYTES = MiB;
const SAMPLE_MS = 2;
const LIVE_SAMPLE_MS = 50;
const WORKSPACE_ID = 'bf89833c-380c-488a-ae9d-64477b455d74';

type Approach = 'package' | 'replaced';
type Mode = 'filesystem' | 'memory';

interface Measurement {
	mode: Mode;
	approach: Approach;
	/** Garbage was collected before every sample. */
	live: boolean;
	peakHeapAndBuffers: number;
	peakRss: number;
	seconds: number;
	/** What storage counted (the form fields, the file, the boundaries), and whether it matched the request's Content-Length. */
	received: number;
	lengthMatched: boolean;
}

/** Storage and Bird in one: hands out upload slots pointing at itself, counts what is uploaded. */
function serve(): void {
	let url = '';
	let slots = 0;
	let last = { received: 0, lengthMatched: false };
	const server = createServer((req: IncomingMessage, res: ServerResponse) => {
		let received = 0;
		req.on('data', (chunk: Buffer) => (received += chunk.length));
		req.on('end', () => {
			if (req.url?.endsWith('/presigned-upload')) {
				const id = ++slots;
				res.writeHead(200, { 'content-type': 'application/json' });
				res.end(
					JSON.stringify({
						mediaUrl: `${url}/media/${id}`,
						uploadUrl: `${url}/storage/${id}`,
						uploadMethod: 'POST',
						uploadFormData: { key: `uploads/${id}`, 'Content-Type': 'application/octet-stream', Policy: 'e30=', 'X-Amz-Signature': '0'.repeat(64) },
					}),
				);
			} else if (req.url?.startsWith('/storage/')) {
				last = { received, lengthMatched: req.headers['content-length'] === String(received) };
				res.writeHead(last.lengthMatched ? 204 : 400);
				res.end();
			} else if (req.url === '/last') {
				res.writeHead(200, { 'content-type': 'application/json' });
				res.end(JSON.stringify(last));
			} else {
				res.writeHead(404);
				res.end();
			}
		});
	});
	server.listen(0, '127.0.0.1', () => {
		url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
		process.send?.({ url });
	});
	process.on('disconnect', () => server.close(() => process.exit(0)));
}

/** Hands out the bench credential and signs requests as the package's credential does. */
class BenchCredentials extends ICredentialsHelper {
	constructor(private readonly credentials: ICredentialDataDecryptedObject) {
		super();
	}

	/** Asked by n8n-core 2.3x and later. */
	isCredentialUsableByNode(): boolean {
		return true;
	}

	getParentTypes(): string[] {
		return [];
	}

	async authenticate(credentials: ICredentialDataDecryptedObject, _type: string, requestOptions: IHttpRequestOptions): Promise<IHttpRequestOptions> {
		return { ...requestOptions, headers: { ...requestOptions.headers, Authorization: `AccessKey ${String(credentials.apiKey)}` } };
	}

	async preAuthentication() {
		return undefined;
	}

	async getCredentials(): Promise<never> {
		throw new Error('not used');
	}

	async getDecrypted(): Promise<ICredentialDataDecryptedObject> {
		return { ...this.credentials };
	}

	async updateCredentials() {}

	async updateCredentialsOauthTokenData() {}

	getCredentialsProperties() {
		return [];
	}
}

/** A Send Message node's execution context, with one input item holding `binary` as `data`. */
function contextFor(birdUrl: string, binary: IBinaryData): ExecuteContext {
	const standIn: INodeType = {
		description: {
			displayName: 'Bird',
			name: 'birdSendMessage',
			group: ['output'],
			version: 1,
			description: '',
			defaults: {},
			inputs: ['main'],
			outputs: ['main'],
			credentials: [{ name: 'birdChannelsApi', required: true }],
			properties: [],
		},
	};
	const nodeTypes: INodeTypes = { getByName: () => standIn, getByNameAndVersion: () => standIn, getKnownTypes: () => ({}) };
	const node: INode = {
		id: 'bench-node',
		name: 'Bird',
		type: 'n8n-nodes-bird.birdSendMessage',
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
		credentials: { birdChannelsApi: { id: 'cred-1', name: 'Bird bench' } },
	};
	const workflow = new Workflow({ id: 'bench-workflow', nodes: [node], connections: {}, active: false, nodeTypes });
	const additionalData = {
		credentialsHelper: new BenchCredentials({ apiKey: 'bench-key', workspaceId: WORKSPACE_ID, baseUrl: birdUrl }),
		executionId: `bench-${process.pid}`,
		restApiUrl: 'http://127.0.0.1/rest',
		instanceBaseUrl: 'http://127.0.0.1/',
		webhookBaseUrl: 'http://127.0.0.1/webhook',
		webhookWaitingBaseUrl: 'http://127.0.0.1/webhook-waiting',
		webhookTestBaseUrl: 'http://127.0.0.1/webhook-test',
		formWaitingBaseUrl: 'http://127.0.0.1/form-waiting',
		variables: {},
		userId: 'bench-user',
	} as unknown as IWorkflowExecuteAdditionalData;
	const inputData = { main: [[{ json: {}, binary: { data: binary } }]] };
	return new ExecuteContext(workflow, node, additionalData, 'manual', createEmptyRunExecutionData(), 0, inputData.main[0], inputData, { node, data: inputData, source: null }, []);
}

/** The package as built: its upload, and its transport for the replaced approach. */
interface Package {
	BinaryMedia: new (itemIndex: number, property: string, contentType: string, fileName: string, bytes: number) => object;
	uploadMedia: (context: ExecuteContext, body: IDataObject, target: { channel: true }, settings: unknown) => Promise<void>;
	birdRequest: (context: ExecuteContext, options: IHttpRequestOptions, more: IDataObject) => Promise<IN8nHttpFullResponse>;
	DEFAULT_DELIVERY: IDataObject;
}

function loadPackage(): Package {
	// dist/ is outside this script's TypeScript project: loaded as n8n loads it, at run time.
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const load = (file: string) => require(path.join(ROOT, 'dist/nodes/shared', file)) as IDataObject;
	return { ...load('media.js'), ...load('transport/request.js') } as unknown as Package;
}

/** The upload this package did before it streamed: the whole file read, then one concatenated body. */
async function replacedUpload(pkg: Package, context: ExecuteContext, bytes: number): Promise<void> {
	const options = { itemIndex: 0, settings: pkg.DEFAULT_DELIVERY, idempotent: true };
	const answer = await pkg.birdRequest(context, { method: 'POST', url: '/workspaces/{workspaceId}/channel-media/presigned-upload', body: { contentType: 'application/octet-stream' } }, options);
	const slot = answer.body as { uploadUrl: string; uploadFormData: Record<string, string> };
	const data = await context.helpers.getBinaryDataBuffer(0, 'data');
	if (data.length !== bytes) throw new Error(`read ${data.length} bytes, expected ${bytes}`);
	const boundary = `----n8n-bird-${randomBytes(12).toString('hex')}`;
	const parts: Buffer[] = Object.entries(slot.uploadFormData).map(([name, value]) =>
		Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`),
	);
	parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="bench.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`));
	parts.push(data, Buffer.from(`\r\n--${boundary}--\r\n`));
	const body = Buffer.concat(parts);
	await pkg.birdRequest(context, { method: 'POST', url: slot.uploadUrl, body, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } }, { ...options, storage: true });
}

async function uploadOnce(pkg: Package, approach: Approach, context: ExecuteContext, bytes: number): Promise<void> {
	if (approach === 'replaced') return await replacedUpload(pkg, context, bytes);
	const body: IDataObject = { file: new pkg.BinaryMedia(0, 'data', 'application/octet-stream', 'bench.bin', bytes) as IDataObject };
	await pkg.uploadMedia(context, body, { channel: true }, pkg.DEFAULT_DELIVERY);
	if (typeof body.file !== 'string') throw new Error('the upload returned no mediaUrl');
}

async function initBinaryStore(folder: string): Promise<BinaryDataService> {
	Object.assign(Container.get(BinaryDataConfig), { mode: 'filesystem', localStoragePath: folder });
	const service = Container.get(BinaryDataService);
	await service.init();
	return service;
}

/** One measurement, in a process of its own. */
async function measure(mode: Mode, approach: Approach, live: boolean, folder: string, url: string, stored: IBinaryData, warmUp: IBinaryData): Promise<Measurement> {
	setFlagsFromString('--expose-gc');
	const gc = runInNewContext('gc') as () => void;
	const service = await initBinaryStore(folder);
	const pkg = loadPackage();
	// In-memory mode: the file is in the item as base64 before the node runs, so it is part of the baseline.
	const inItem = async (binary: IBinaryData): Promise<IBinaryData> => {
		if (mode === 'filesystem') return binary;
		return { ...binary, id: undefined, data: (await service.getAsBuffer(binary)).toString('base64') };
	};
	await uploadOnce(pkg, approach, contextFor(url, await inItem(warmUp)), warmUp.bytes!);
	const context = contextFor(url, await inItem(stored));
	for (let i = 0; i < 3; i++) gc();
	const base = process.memoryUsage();
	let peakHeapAndBuffers = 0;
	let peakRss = 0;
	const sample = () => {
		// Twice: V8 frees the memory of dead buffers after a collection, in the background; the next one waits for that.
		if (live) {
			gc();
			gc();
		}
		const now = process.memoryUsage();
		peakHeapAndBuffers = Math.max(peakHeapAndBuffers, now.heapUsed + now.arrayBuffers - base.heapUsed - base.arrayBuffers);
		peakRss = Math.max(peakRss, now.rss - base.rss);
	};
	const sampler = setInterval(sample, live ? LIVE_SAMPLE_MS : SAMPLE_MS);
	const started = performance.now();
	await uploadOnce(pkg, approach, context, stored.bytes!);
	const seconds = (performance.now() - started) / 1000;
	sample();
	clearInterval(sampler);
	const last = (await (await fetch(`${url}/last`)).json()) as { received: number; lengthMatched: boolean };
	return { mode, approach, live, peakHeapAndBuffers, peakRss, seconds, ...last };
}

/** Stores a file of random bytes in n8n's filesystem binary store, written and read in chunks. */
async function storeFile(service: BinaryDataService, folder: string, bytes: number, name: string): Promise<IBinaryData> {
	const source = path.join(folder, `${name}.source`);
	writeFileSync(source, '');
	for (let written = 0; written < bytes; written += 8 * MiB) writeFileSync(source, randomBytes(Math.min(8 * MiB, bytes - written)), { flag: 'a' });
	const location = { type: 'execution' as const, workflowId: 'bench-workflow', executionId: 'upstream' };
	const binary = await service.store(location, createReadStream(source), { data: '', mimeType: 'application/octet-stream', fileName: `${name}.bin` });
	rmSync(source);
	return binary;
}

async function child<T>(args: string[]): Promise<{ message: T; stop: () => void }> {
	const process_ = fork(__filename, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
	const message = await new Promise<T>((resolve, reject) => {
		process_.once('message', (value) => resolve(value as T));
		process_.once('exit', (code) => reject(new Error(`${args[0]} exited with ${code} before answering`)));
	});
	return { message, stop: () => process_.disconnect() };
}

const mib = (bytes: number) => (bytes / MiB).toFixed(1);

async function main(): Promise<void> {
	const folder = mkdtempSync(path.join(tmpdir(), 'bird-bench-upload-'));
	const server = await child<{ url: string }>(['serve']);
	try {
		const service = await initBinaryStore(folder);
		const stored = await storeFile(service, folder, FILE_BYTES, 'file');
		const warmUp = await storeFile(service, folder, WARM_UP_BYTES, 'warm-up');
		const rows: Measurement[] = [];
		for (const mode of ['filesystem', 'memory'] as Mode[]) {
			for (const approach of ['package', 'replaced'] as Approach[]) {
				for (let run = 0; run < RUNS * 2; run++) {
					const live = run % 2 === 1;
					const worker = await child<Measurement | { error: string }>(['measure', mode, approach, String(live), folder, server.message.url, JSON.stringify(stored), JSON.stringify(warmUp)]);
					worker.stop();
					if ('error' in worker.message) throw new Error(worker.message.error);
					rows.push(worker.message);
				}
			}
		}
		const label: Record<Mode, Record<Approach, string>> = {
			filesystem: { package: 'streamed from the store (package)', replaced: 'getBinaryDataBuffer + Buffer.concat (before)' },
			memory: { package: 'decoded into the body (package)', replaced: 'decoded, then Buffer.concat (before)' },
		};
		console.log(`\nUpload of a ${mib(FILE_BYTES)} MiB file to storage on 127.0.0.1: peak memory above the baseline, sampled every ${SAMPLE_MS} ms (worst of ${RUNS})\n`);
		console.log(['binary mode'.padEnd(12), 'upload'.padEnd(46), 'heap+buffers'.padStart(12), 'RSS'.padStart(10), 'live'.padStart(10), 'time'.padStart(8), '  storage got'].join(' '));
		for (const mode of ['filesystem', 'memory'] as Mode[]) {
			for (const approach of ['package', 'replaced'] as Approach[]) {
				const all = rows.filter((row) => row.mode === mode && row.approach === approach);
				const runs = all.filter((row) => !row.live);
				const worst = (key: 'peakHeapAndBuffers' | 'peakRss' | 'seconds') => Math.max(...runs.map((row) => row[key]));
				const live = Math.max(...all.filter((row) => row.live).map((row) => row.peakHeapAndBuffers));
				const got = all.every((row) => row.lengthMatched) ? `${mib(runs[0].received)} MiB, = Content-Length` : 'Content-Length did not match';
				console.log(
					[
						(mode === 'memory' ? 'in-memory' : mode).padEnd(12),
						label[mode][approach].padEnd(46),
						`${mib(worst('peakHeapAndBuffers'))} MiB`.padStart(12),
						`${mib(worst('peakRss'))} MiB`.padStart(10),
						`${mib(live)} MiB`.padStart(10),
						`${worst('seconds').toFixed(2)} s`.padStart(8),
						` ${got}`,
					].join(' '),
				);
			}
		}
		console.log('\nheap+buffers: heapUsed + arrayBuffers, garbage not yet collected included; live: the same with garbage collected before each sample.');
	} finally {
		server.stop();
		rmSync(folder, { recursive: true, force: true });
	}
}

const [role, ...args] = process.argv.slice(2);
if (role === 'serve') serve();
else if (role === 'measure') {
	const [mode, approach, live, folder, url, stored, warmUp] = args;
	// n8n-core keeps timers of its own; the parent is done with this process when it lets go.
	process.on('disconnect', () => process.exit(0));
	measure(mode as Mode, approach as Approach, live === 'true', folder, url, JSON.parse(stored) as IBinaryData, JSON.parse(warmUp) as IBinaryData).then(
		(result) => process.send?.(result),
		(error: unknown) => process.send?.({ error: String((error as Error).stack ?? error) }),
	);
} else {
	main().catch((error: unknown) => {
		console.error(error);
		process.exitCode = 1;
	});
}
