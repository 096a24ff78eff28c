/**
 * Uploads of files in n8n's binary store: n8n-core in filesystem mode, so that the items' binary
 * data has an `id` and the file is on disk. Bird is the sandbox; storage is this file's own server
 * on 127.0.0.1, which checks every upload with the sandbox's storage rules (fields unchanged and in
 * order, file last, no Authorization, a Content-Length) and can stop reading, break a connection
 * in the middle of a body, or hold its answer, while it counts what is in flight.
 */
import { Container } from '@n8n/di';
import { BinaryDataConfig, BinaryDataService } from 'n8n-core';
import type { IBinaryData, IDataObject } from 'n8n-workflow';
import { randomBytes } from 'node:crypto';
import type { ReadStream } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import type { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { SANDBOX } from '../../scripts/sandbox/server';
import { runNode } from '../helpers/n8n';
import { sandboxCredentials, useSandbox } from '../helpers/sandbox';

const sandbox = useSandbox();
const MiB = 1024 * 1024;

/** One upload as storage saw it. */
interface Seen {
	id: string;
	headers: IncomingHttpHeaders;
	/** Body bytes received so far. */
	bytes: number;
	/** The whole body arrived. */
	complete: boolean;
	status?: number;
	/** The file name in the form, once its part's headers arrived. */
	file?: string;
}

/** Upload storage that checks with the sandbox's rules and records what it sees. */
class Storage {
	url = '';
	readonly seen: Seen[] = [];
	/** Uploads in flight now and at most, in all and per file-name prefix (`a-1.pdf` counts for `a`). */
	inFlight = 0;
	maxInFlight = 0;
	readonly maxByPrefix = new Map<string, number>();
	private readonly byPrefix = new Map<string, number>();
	/** The next so many uploads lose their connection after BREAK_AT body bytes. */
	breaks = 0;
	/** Stop reading an upload at this many body bytes, until `resume()`. */
	stallAt?: number;
	/** How long each answer waits once the body is in. */
	holdMs = 0;
	/** The next so many uploads are answered with a redirect to another storage. */
	redirects = 0;
	private stalled?: IncomingMessage;
	private server?: Server;

	static readonly BREAK_AT = MiB;

	async start(): Promise<void> {
		this.server = createServer((req, res) => this.handle(req, res));
		await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
		this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
	}

	async stop(): Promise<void> {
		const { server } = this;
		if (!server) return;
		server.closeAllConnections();
		await new Promise((resolve) => server.close(resolve));
	}

	clear(): void {
		this.seen.length = 0;
		this.maxInFlight = 0;
		this.maxByPrefix.clear();
		this.breaks = 0;
		this.stallAt = undefined;
		this.stalled = undefined;
		this.holdMs = 0;
		this.redirects = 0;
	}

	/** Resolves once an upload has stopped at `stallAt` (within 10 s). */
	async untilStalled(): Promise<Seen> {
		for (const deadline = Date.now() + 10_000; !this.stalled; await new Promise((resolve) => setTimeout(resolve, 5))) {
			if (Date.now() > deadline) throw new Error(`no upload reached ${this.stallAt} bytes`);
		}
		return this.seen[this.seen.length - 1];
	}

	resume(): void {
		this.stallAt = undefined;
		this.stalled?.resume();
	}

	private handle(req: IncomingMessage, res: ServerResponse): void {
		const seen: Seen = { id: String(req.url).split('/').pop()!, headers: req.headers, bytes: 0, complete: false };
		this.seen.push(seen);
		this.inFlight++;
		this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
		let prefix: string | undefined;
		let done = false;
		// In flight until storage answers, or the connection breaks.
		const finish = () => {
			if (done) return;
			done = true;
			this.inFlight--;
			if (prefix) this.byPrefix.set(prefix, this.byPrefix.get(prefix)! - 1);
		};
		res.once('close', finish);
		const breaking = this.breaks > 0;
		if (breaking) this.breaks--;
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => {
			chunks.push(chunk);
			seen.bytes += chunk.length;
			if (!seen.file) {
				seen.file = /name="file"; filename="([^"]*)"/.exec(Buffer.concat(chunks).toString('latin1'))?.[1];
				prefix = seen.file?.split('-')[0];
				if (prefix) {
					this.byPrefix.set(prefix, (this.byPrefix.get(prefix) ?? 0) + 1);
					this.maxByPrefix.set(prefix, Math.max(this.maxByPrefix.get(prefix) ?? 0, this.byPrefix.get(prefix)!));
				}
			}
			if (breaking && seen.bytes >= Storage.BREAK_AT) req.socket.destroy();
			else if (this.stallAt !== undefined && seen.bytes >= this.stallAt && !this.stalled) {
				req.pause();
				this.stalled = req;
			}
		});
		req.on('end', async () => {
			seen.complete = true;
			this.stalled = undefined;
			if (this.holdMs) await new Promise((resolve) => setTimeout(resolve, this.holdMs));
			if (this.redirects > 0) {
				this.redirects--;
				seen.status = 307;
				finish();
				res.writeHead(307, { location: `http://127.0.0.1:9/_storage/${seen.id}`, 'content-type': 'application/xml' });
				res.end('<Error><Code>TemporaryRedirect</Code><Message>Please re-send this request to the specified temporary endpoint.</Message></Error>');
				return;
			}
			const [status, problem] = sandbox.media.receive(seen.id, req.headers, Buffer.concat(chunks));
			seen.status = status;
			finish();
			res.writeHead(status, problem ? { 'content-type': 'application/xml' } : {});
			res.end(problem ? `<Error><Message>${problem}</Message></Error>` : undefined);
		});
	}
}

const storage = new Storage();
let folder = '';

/** What the node took from n8n's binary store: bytes read from the streams it opened, or whole buffers. */
const store = { streams: [] as ReadStream[], buffers: 0, taken: () => store.buffers + store.streams.reduce((sum, stream) => sum + stream.bytesRead, 0) };

beforeAll(async () => {
	folder = mkdtempSync(path.join(tmpdir(), 'bird-binary-data-'));
	Object.assign(Container.get(BinaryDataConfig), { mode: 'filesystem', localStoragePath: folder });
	await Container.get(BinaryDataService).init();
	await storage.start();
	// Bird hands out this file's storage instead of the sandbox's; the slots stay the sandbox's.
	const presign = sandbox.media.presign.bind(sandbox.media);
	sandbox.media.presign = (contentType, scope) => {
		const answer = presign(contentType, scope);
		return { ...answer, uploadUrl: `${storage.url}/_storage/${String(answer.uploadUrl).split('/').pop()}` };
	};
});

afterAll(async () => {
	await storage.stop();
	rmSync(folder, { recursive: true, force: true });
});

beforeEach(() => {
	storage.clear();
	store.streams.length = 0;
	store.buffers = 0;
	const service = Container.get(BinaryDataService);
	const getAsStream = service.getAsStream.bind(service);
	const getAsBuffer = service.getAsBuffer.bind(service);
	jest.spyOn(service, 'getAsStream').mockImplementation(async (id, chunkSize) => {
		const stream = await getAsStream(id, chunkSize);
		store.streams.push(stream as ReadStream);
		return stream;
	});
	jest.spyOn(service, 'getAsBuffer').mockImplementation(async (binaryData) => {
		const buffer = await getAsBuffer(binaryData);
		store.buffers += buffer.length;
		return buffer;
	});
});

afterEach(() => jest.restoreAllMocks());

/** A file in n8n's binary store, as Read Files from Disk would leave it in filesystem mode. */
async function storedFile(data: Buffer, fileName: string, mimeType = 'application/pdf'): Promise<IBinaryData> {
	const location = { type: 'execution' as const, workflowId: 'test-workflow', executionId: 'upstream' };
	return await Container.get(BinaryDataService).store(location, data, { data: '', mimeType, fileName, fileExtension: fileName.split('.').pop() });
}

/** Send Message, one file per item from the binary property `data`. */
const sendFiles = async (files: IBinaryData[], more: IDataObject = {}) =>
	await runNode({
		type: 'birdSendMessage',
		parameters: {
			channelId: { __rl: true, mode: 'id', value: SANDBOX.channels.sms },
			identifierValue: '+31600000001',
			messageType: 'file',
			files: { file: [{ source: 'binary', binaryProperty: 'data' }] },
			delivery: { retryDelay: 10 },
			...more,
		},
		items: files.map(() => ({})),
		binary: files.map((data) => ({ data })),
		credentials: sandboxCredentials(sandbox),
	});

/** The uploads stored, oldest first. */
const stored = () => [...sandbox.media.uploads.values()].filter((upload) => upload.stored);

describe("a file in n8n's binary store (filesystem mode)", () => {
	test('arrives byte-identical: every field unchanged and in order, the file last, with the Content-Length of the body', async () => {
		const file = randomBytes(3 * MiB + 123);
		const binary = await storedFile(file, 'report.pdf');
		expect(binary.id).toMatch(/^filesystem/);
		const result = await sendFiles([binary]);
		expect(result.error).toBeUndefined();
		expect(result.outputs[0][0].json.error).toBeUndefined();
		const [upload] = stored();
		expect(upload.stored!.parts).toEqual([...Object.entries(upload.formData).map(([name, value]) => ({ name, value })), { name: 'file', filename: 'report.pdf' }]);
		expect(upload.stored!.data.equals(file)).toBe(true);
		expect(upload.stored!.contentType).toBe('application/pdf');
		const [seen] = storage.seen;
		expect(seen.headers['content-length']).toBe(String(seen.bytes));
		expect(seen.headers['transfer-encoding']).toBeUndefined();
		expect(seen.headers.authorization).toBeUndefined();
		expect(JSON.stringify(seen.headers)).not.toContain(SANDBOX.accessKey);
		expect(sandbox.messages).toHaveLength(1);
		// Every stream opened on the file is closed again.
		expect(store.streams).toHaveLength(1);
		expect(store.streams.every((stream) => stream.destroyed)).toBe(true);
	});

	test('is read from the store as storage takes it: while storage stops at 1 MiB of 48 MiB, the node has read a third at most', async () => {
		const file = randomBytes(48 * MiB);
		const binary = await storedFile(file, 'film.pdf');
		storage.stallAt = MiB;
		const run = sendFiles([binary]);
		try {
			const seen = await storage.untilStalled();
			// Let whatever the node and the sockets would buffer fill up (about 5 MiB here).
			let taken = -1;
			while (taken !== store.taken()) {
				taken = store.taken();
				await new Promise((resolve) => setTimeout(resolve, 200));
			}
			expect(seen.bytes).toBeLessThan(2 * MiB);
			expect(taken).toBeLessThan(16 * MiB);
		} finally {
			storage.resume();
		}
		const result = await run;
		expect(result.outputs[0][0].json.error).toBeUndefined();
		expect(stored()[0].stored!.data.equals(file)).toBe(true);
	});

	test('a connection broken in the middle of the file: sent again from a new stream, and the file arrives whole, once', async () => {
		const file = randomBytes(8 * MiB);
		const binary = await storedFile(file, 'invoice.pdf');
		storage.breaks = 1;
		const result = await sendFiles([binary]);
		expect(result.outputs[0][0].json.error).toBeUndefined();
		const [broken, retried] = storage.seen;
		expect(storage.seen).toHaveLength(2);
		expect(broken).toMatchObject({ complete: false });
		expect(broken.bytes).toBeLessThan(file.length);
		expect(retried).toMatchObject({ complete: true, status: 204, id: broken.id });
		expect(retried.headers['content-length']).toBe(String(retried.bytes));
		expect(stored()).toHaveLength(1);
		expect(stored()[0].stored!.data.equals(file)).toBe(true);
		expect(sandbox.messages).toHaveLength(1);
		// One stream per attempt, and the broken attempt's is closed too.
		expect(store.streams).toHaveLength(2);
		expect(store.streams.every((stream) => stream.destroyed)).toBe(true);
	});

	test('a file shorter than its binary data says: the upload is broken off, nothing is stored, the item fails saying why', async () => {
		const file = randomBytes(64 * 1024);
		const binary = await storedFile(file, 'short.pdf');
		const result = await sendFiles([{ ...binary, bytes: file.length + 10 }]);
		expect(result.error?.message).toBe("The file has fewer bytes in n8n's binary data store than the 65546 its binary data says");
		expect(storage.seen.map((seen) => seen.complete)).toEqual([false]);
		expect(stored()).toHaveLength(0);
		expect(sandbox.messages).toHaveLength(0);
		expect(store.streams.every((stream) => stream.destroyed)).toBe(true);
	});

	test('a redirect from storage is not followed (that would keep the whole file to send it again): the item fails with its answer', async () => {
		const binary = await storedFile(randomBytes(64 * 1024), 'moved.pdf');
		storage.redirects = 1;
		const result = await sendFiles([binary]);
		expect(result.error?.message).toMatch(/^Bird's upload storage answered 307: .*TemporaryRedirect/);
		expect(storage.seen).toHaveLength(1);
		expect(sandbox.messages).toHaveLength(0);
	});

	test('several executions at once: at most 4 uploads in flight in the process, at most 2 per execution', async () => {
		// Storage holds every answer a while, so that the uploads of four executions overlap.
		storage.holdMs = 100;
		const executions = await Promise.all(
			['a', 'b', 'c', 'd'].map(async (name) => await Promise.all([1, 2, 3].map(async (n) => await storedFile(randomBytes(256 * 1024), `${name}-${n}.pdf`)))),
		);
		const results = await Promise.all(executions.map(async (files) => await sendFiles(files)));
		for (const result of results) expect(result.outputs[0].map((item) => item.json.error)).toEqual([undefined, undefined, undefined]);
		expect(stored()).toHaveLength(12);
		expect(storage.maxInFlight).toBe(4);
		expect([...storage.maxByPrefix.values()].every((most) => most <= 2)).toBe(true);
	});
});
