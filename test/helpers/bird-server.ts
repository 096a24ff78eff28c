/**
 * A real HTTP server on 127.0.0.1 for tests: it records every request (method, path,
 * query, headers, parsed JSON body) and answers with whatever the test scripted.
 */
import type { IncomingHttpHeaders, Server } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
	method: string;
	path: string;
	query: Record<string, string>;
	headers: IncomingHttpHeaders;
	body: unknown;
}

export interface ScriptedResponse {
	status?: number;
	body?: unknown;
	/** Sent as it is, not as JSON (for malformed answers). */
	raw?: string;
	headers?: Record<string, string>;
	delayMs?: number;
	/** Destroy the socket instead of answering. */
	reset?: boolean;
}

export type Responder = (request: RecordedRequest, index: number) => ScriptedResponse;

export class BirdTestServer {
	readonly requests: RecordedRequest[] = [];

	private server?: Server;

	private responder: Responder = () => ({ status: 202, body: { id: 'msg-1', status: 'accepted' } });

	url = '';

	respond(responder: Responder): this {
		this.responder = responder;
		return this;
	}

	async start(): Promise<this> {
		this.server = createServer((req, res) => {
			const chunks: Buffer[] = [];
			req.on('data', (chunk: Buffer) => chunks.push(chunk));
			req.on('end', () => {
				const url = new URL(req.url ?? '/', 'http://127.0.0.1');
				const text = Buffer.concat(chunks).toString('utf8');
				let body: unknown = text;
				try {
					body = text ? JSON.parse(text) : undefined;
				} catch {
					body = text;
				}
				const recorded: RecordedRequest = {
					method: req.method ?? 'GET',
					path: url.pathname,
					query: Object.fromEntries(url.searchParams),
					headers: req.headers,
					body,
				};
				this.requests.push(recorded);
				const answer = this.responder(recorded, this.requests.length - 1);
				const send = () => {
					if (answer.reset) {
						req.socket.destroy();
						return;
					}
					const payload = answer.raw ?? (answer.body === undefined ? '' : JSON.stringify(answer.body));
					res.writeHead(answer.status ?? 200, {
						'content-type': 'application/json',
						...answer.headers,
					});
					res.end(payload);
				};
				if (answer.delayMs) setTimeout(send, answer.delayMs);
				else send();
			});
		});
		await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
		this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
		return this;
	}

	reset(): void {
		this.requests.length = 0;
	}

	async stop(): Promise<void> {
		this.server?.closeAllConnections();
		await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
	}
}

/**
 * A server for one test file: started before its tests, stopped after them, and before each
 * test emptied of recorded requests and (when given) set back to `responder`.
 */
export function useBirdServer(responder?: Responder): BirdTestServer {
	const server = new BirdTestServer();
	beforeAll(async () => {
		await server.start();
	});
	afterAll(async () => {
		await server.stop();
	});
	beforeEach(() => {
		server.reset();
		if (responder) server.respond(responder);
	});
	return server;
}
