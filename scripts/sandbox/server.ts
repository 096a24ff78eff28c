/**
 * A local stand-in for api.bird.com: the endpoints this package calls, with Bird's
 * authentication, validation, answers and errors, seeded state, an inbound-message
 * simulator that opens service windows and delivers signed webhooks, fault and rate-limit
 * modes, and a read-only view of what was sent. A development tool: never part of dist/.
 *
 * Control endpoints (no authentication) live under /_sandbox; see README.md.
 */
import { createHash, createHmac, randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { Problems } from './validate';
import { checkChannelMessage, checkConversation, checkConversationMessage } from './validate';

type Json = Record<string, unknown>;

export const SANDBOX = {
	accessKey: 'sandbox-access-key',
	workspaceId: 'bf89833c-380c-488a-ae9d-64477b455d74',
	organizationId: '0e1b4c8a-2f3d-4a5b-9c6d-7e8f9a0b1c2d',
	channels: {
		whatsapp: '5da69b04-d462-5efd-9b65-28dbae1e0482',
		sms: '6eb7ac15-e573-4f0e-8c76-39ecbf2f1593',
		email: '7fc8bd26-f684-4a1f-9d87-4afdc03f26a4',
	},
	templateProjectId: 'ce6a2fd6-b2fa-4f5a-a2cd-f3bd15883318',
	/** A contact who wrote an hour ago: their WhatsApp window is open. */
	openContact: { id: 'c1a2b3c4-0000-4000-8000-000000000001', phone: '+31612345678', name: 'Jane Open' },
	/** A contact who wrote two days ago: their window has closed. */
	closedContact: { id: 'c1a2b3c4-0000-4000-8000-000000000002', phone: '+31687654321', name: 'Joe Closed' },
} as const;

const HOUR = 3_600_000;

interface Contact {
	id: string;
	identifiers: Array<{ key: string; value: string }>;
	name: string;
}

/**
 * One queued fault for the next `count` API requests. 429/500/503 answer at once without
 * processing the request; `reset` drops the connection without processing it; `slow` processes
 * it after `delayMs`; `malformed` processes it and answers with half of the JSON; `echo` is a
 * gateway's 502 page that repeats the request's headers, access key included.
 */
export interface Fault {
	mode: '429' | '500' | '503' | 'slow' | 'reset' | 'malformed' | 'echo';
	count: number;
	retryAfter?: number;
	delayMs?: number;
}

export interface SentMessage extends Json {
	id: string;
	channelId: string;
	direction: 'outgoing' | 'incoming';
	createdAt: string;
}

export class BirdSandbox {
	url = '';
	readonly channels: Json[];
	readonly contacts: Contact[] = [];
	readonly messages: SentMessage[] = [];
	readonly conversations = new Map<string, Json & { messages: Json[] }>();
	/** Service windows by `${channelId}|${contactId}`: expiry in ms, or 'permanent'. */
	readonly windows = new Map<string, number | 'permanent'>();
	readonly webhooks: Json[] = [];
	/** Every API request (not control requests), for tests and benchmarks. */
	readonly log: Array<{ method: string; path: string; status: number; at: number }> = [];
	readonly faults: Fault[] = [];
	rateLimit = { enabled: false, post: 500, get: 50 };
	private readonly windowCounts = new Map<string, number>();
	private server?: Server;

	constructor(private readonly now: () => number = Date.now) {
		const ws = SANDBOX.channels;
		this.channels = [
			{ id: ws.whatsapp, platformId: 'whatsapp', name: 'Support WhatsApp', identifier: '+31201234567', status: 'active' },
			{ id: ws.sms, platformId: 'sms-messagebird', name: 'Alerts SMS', identifier: '+31207654321', status: 'active' },
			{ id: ws.email, platformId: 'email-sparkpost', name: 'Newsletter email', identifier: 'news@sandbox.example', status: 'active' },
		].map((channel) => ({ ...channel, capabilities: {}, createdAt: new Date(now()).toISOString() }));
		for (const seed of [SANDBOX.openContact, SANDBOX.closedContact]) {
			this.contacts.push({ id: seed.id, identifiers: [{ key: 'phonenumber', value: seed.phone }], name: seed.name });
		}
		this.windows.set(`${ws.whatsapp}|${SANDBOX.openContact.id}`, now() + 23 * HOUR);
		this.windows.set(`${ws.whatsapp}|${SANDBOX.closedContact.id}`, now() - 24 * HOUR);
	}

	async start(port = 0, host = '127.0.0.1'): Promise<this> {
		this.server = createServer((req, res) => {
			void this.handle(req, res).catch((error: Error) => send(res, 500, { code: 'InternalError', message: error.message }));
		});
		await new Promise<void>((resolve) => this.server!.listen(port, host, resolve));
		this.url = `http://${host}:${(this.server.address() as AddressInfo).port}`;
		return this;
	}

	async stop(): Promise<void> {
		this.server?.closeAllConnections();
		await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
	}

	findContact(key: string, value: string): Contact | undefined {
		return this.contacts.find((contact) => contact.identifiers.some((id) => id.key === key && id.value === value));
	}

	private upsertContact(key: string, value: string): Contact {
		let contact = this.findContact(key, value);
		if (!contact) {
			contact = { id: randomUUID(), identifiers: [{ key, value }], name: value };
			this.contacts.push(contact);
		}
		return contact;
	}

	/** A customer writes to a channel: their window opens for 24 hours and webhooks fire. */
	async inbound(input: { channelId?: string; identifierKey?: string; identifierValue: string; text?: string }): Promise<SentMessage> {
		const channelId = input.channelId ?? SANDBOX.channels.whatsapp;
		const contact = this.upsertContact(input.identifierKey ?? 'phonenumber', input.identifierValue);
		this.windows.set(`${channelId}|${contact.id}`, this.now() + 24 * HOUR);
		const message: SentMessage = {
			id: randomUUID(),
			channelId,
			direction: 'incoming',
			status: 'delivered',
			sender: { contact: { id: contact.id, identifierKey: input.identifierKey ?? 'phonenumber', identifierValue: input.identifierValue } },
			body: { type: 'text', text: { text: input.text ?? 'Hello' } },
			createdAt: new Date(this.now()).toISOString(),
		};
		this.messages.push(message);
		const platform = String(this.channels.find((channel) => channel.id === channelId)?.platformId ?? 'whatsapp').split('-')[0];
		await this.deliver(`${platform}.inbound`, channelId, message);
		return message;
	}

	private async deliver(event: string, channelId: string, payload: Json) {
		for (const hook of this.webhooks) {
			if (hook.event !== event) continue;
			const filters = (hook.eventFilters ?? []) as Array<{ key: string; value: string }>;
			if (filters.some((filter) => filter.key === 'channelId' && filter.value !== channelId)) continue;
			const body = JSON.stringify({ service: hook.service, event, payload });
			const timestamp = String(this.now());
			const url = String(hook.url);
			const digest = createHash('sha256').update(body).digest();
			const signature = createHmac('sha256', String(hook.signingKey ?? ''))
				.update(Buffer.concat([Buffer.from(`${timestamp}\n${url}\n`), digest]))
				.digest('base64');
			await new Promise<void>((resolve) => {
				const req = httpRequest(url, {
					method: 'POST',
					headers: { 'content-type': 'application/json', 'messagebird-signature': signature, 'messagebird-request-timestamp': timestamp },
				});
				req.on('response', (res) => {
					res.resume();
					resolve();
				});
				req.on('error', () => resolve());
				req.end(body);
			});
		}
	}

	/** Forgets sent messages, the request log and queued faults, and turns the rate limit off. */
	clear(): void {
		this.messages.length = 0;
		this.log.length = 0;
		this.faults.length = 0;
		this.rateLimit = { ...this.rateLimit, enabled: false };
	}

	/** Applies the next queued fault, if any; the status it answered with (0: no answer), or undefined. */
	private async fault(res: ServerResponse, req: IncomingMessage): Promise<number | undefined> {
		const fault = this.faults[0];
		if (!fault) return undefined;
		if (--fault.count <= 0) this.faults.shift();
		switch (fault.mode) {
			case '429':
				return send(res, 429, { code: 'TooManyRequests', message: 'Too many requests' }, fault.retryAfter === undefined ? {} : { 'retry-after': String(fault.retryAfter) });
			case '500':
			case '503':
				return send(res, Number(fault.mode), { code: 'ServerError', message: `Sandbox fault ${fault.mode}` });
			case 'reset':
				req.socket.destroy();
				return 0;
			case 'echo': {
				const headers = Object.entries(req.headers).map(([name, value]) => `${name}: ${String(value)}`);
				res.writeHead(502, { 'content-type': 'text/plain' });
				res.end(`Bad gateway. Your request:\n${headers.join('\n')}`);
				return 502;
			}
			case 'malformed': {
				// The request is processed as usual, but the answer arrives cut in half.
				const end = res.end.bind(res) as (chunk?: string) => ServerResponse;
				res.end = ((chunk?: unknown) =>
					end(typeof chunk === 'string' ? chunk.slice(0, Math.ceil(chunk.length / 2)) : undefined)) as typeof res.end;
				return undefined;
			}
			case 'slow':
				await new Promise((resolve) => setTimeout(resolve, fault.delayMs ?? 5000));
				return undefined;
		}
	}

	/** Bird's per-workspace limits, counted per wall-clock second. */
	private limited(method: string): boolean {
		if (!this.rateLimit.enabled) return false;
		const kind = method === 'GET' ? 'get' : 'post';
		const key = `${kind}|${Math.floor(this.now() / 1000)}`;
		const count = (this.windowCounts.get(key) ?? 0) + 1;
		this.windowCounts.set(key, count);
		if (this.windowCounts.size > 20) this.windowCounts.delete(this.windowCounts.keys().next().value as string);
		return count > this.rateLimit[kind];
	}

	private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const url = new URL(req.url ?? '/', 'http://sandbox');
		const method = req.method ?? 'GET';
		const raw = await readBody(req);
		let body: Json = {};
		if (raw) {
			try {
				body = JSON.parse(raw) as Json;
			} catch {
				send(res, 400, { code: 'InvalidJson', message: 'The request body is not JSON' });
				return;
			}
		}
		if (url.pathname === '/_sandbox' || url.pathname.startsWith('/_sandbox/')) {
			await this.control(method, url, body, res);
			return;
		}

		const at = this.now();
		const status = await this.api(method, url, body, req, res);
		this.log.push({ method, path: url.pathname, status, at });
	}

	private async api(method: string, url: URL, body: Json, req: IncomingMessage, res: ServerResponse): Promise<number> {
		if (req.headers.authorization !== `AccessKey ${SANDBOX.accessKey}`) {
			return send(res, 401, { code: 'Unauthorized', message: 'The access key is missing or invalid' });
		}
		const faulted = await this.fault(res, req);
		if (faulted !== undefined) return faulted;
		if (this.limited(method)) return send(res, 429, { code: 'TooManyRequests', message: 'Rate limit exceeded' }, { 'retry-after': '1' });

		const parts = url.pathname.split('/').filter(Boolean);
		const orgHooks = parts[0] === 'organizations' && parts[2] === 'workspaces' && parts[4] === 'webhook-subscriptions';
		const ws = orgHooks ? parts[3] : parts[0] === 'workspaces' ? parts[1] : undefined;
		if (ws !== SANDBOX.workspaceId) return send(res, 404, { code: 'NotFound', message: 'Workspace not found' });
		if (orgHooks) return this.webhookApi(method, parts.slice(5), body, res);
		const [, , collection, id, sub, subId] = parts;
		const idPart = collection === 'contacts' && id === 'search' ? 'search' : id && ':id';
		const route = `${method} ${[collection, idPart, sub, subId && ':sub'].filter(Boolean).join('/')}`;
		const channel = this.channels.find((candidate) => candidate.id === id);

		switch (route) {
			case 'GET channels': {
				const limit = Math.min(1000, Math.max(1, Number(url.searchParams.get('limit') ?? 10)));
				const start = Number(url.searchParams.get('pageToken') ?? 0) || 0;
				const page = this.channels.slice(start, start + limit);
				const next = start + limit < this.channels.length ? String(start + limit) : undefined;
				return send(res, 200, { results: page, ...(next ? { nextPageToken: next } : {}) });
			}
			case 'GET channels/:id':
				return channel ? send(res, 200, channel) : notFound(res, 'Channel');
			case 'POST channels/:id/messages': {
				if (!channel) return notFound(res, 'Channel');
				const problems = checkChannelMessage(body, this.now());
				if (Object.keys(problems).length) return invalid(res, problems);
				const blocked = this.templateOnly(channel, body);
				if (blocked) return send(res, 422, { code: 'ServiceWindowClosed', message: blocked, details: { body: [blocked] } });
				const contacts = ((body.receiver as Json).contacts as Json[]).map((contact) =>
					contact.identifierKey ? this.upsertContact(String(contact.identifierKey), String(contact.identifierValue)) : undefined,
				);
				const message = this.record(String(channel.id), body, { receiver: body.receiver, contactIds: contacts.map((c) => c?.id) });
				return send(res, 202, message);
			}
			case 'GET channels/:id/contacts/:sub': {
				const contact = this.contacts.find((candidate) => candidate.id === subId);
				if (!channel || !contact) return notFound(res, channel ? 'Contact' : 'Channel');
				const window = this.windows.get(`${channel.id}|${contact.id}`);
				return send(res, 200, {
					serviceWindowExpireAt: typeof window === 'number' ? new Date(window).toISOString() : null,
					isPermanentSession: window === 'permanent',
					metadata: null,
				});
			}
			case 'POST contacts/search': {
				const identifier = (body.identifier ?? {}) as Json;
				const contact = this.findContact(String(identifier.key), String(identifier.value));
				return send(res, 200, { results: contact ? [contactResource(contact)] : [] });
			}
			case 'GET contacts/:id': {
				const contact = this.contacts.find((candidate) => candidate.id === id);
				return contact ? send(res, 200, contactResource(contact)) : notFound(res, 'Contact');
			}
			case 'GET projects':
				return send(res, 200, {
					results: [
						{ id: SANDBOX.templateProjectId, name: 'Order update', type: 'channelTemplate', supportedPlatforms: ['whatsapp'], locales: ['en', 'nl'] },
					],
				});
			case 'POST conversations':
				return this.createConversation(body, res);
			case 'GET conversations/:id': {
				const conversation = this.conversations.get(String(id));
				return conversation ? send(res, 200, withoutMessages(conversation)) : notFound(res, 'Conversation');
			}
			case 'POST conversations/:id/messages':
				return this.reply(String(id), body, res);
			default:
				return send(res, 404, { code: 'NotFound', message: `The sandbox does not know ${method} ${url.pathname}` });
		}
	}

	/** WhatsApp outside the window: only templates (Bird refuses free-form messages then). */
	private templateOnly(channel: Json, body: Json): string | undefined {
		if (channel.platformId !== 'whatsapp' || body.template !== undefined) return undefined;
		for (const raw of ((body.receiver as Json).contacts ?? []) as Json[]) {
			const contact = raw.id ? this.contacts.find((c) => c.id === raw.id) : this.findContact(String(raw.identifierKey ?? 'phonenumber'), String(raw.identifierValue));
			const window = contact && this.windows.get(`${channel.id}|${contact.id}`);
			if (window !== 'permanent' && !(typeof window === 'number' && window > this.now())) {
				return `The customer service window with ${String(raw.identifierValue ?? raw.id)} is closed: send a template`;
			}
		}
		return undefined;
	}

	private record(channelId: string, body: Json, extra: Json): SentMessage {
		const message: SentMessage = {
			id: randomUUID(),
			channelId,
			direction: 'outgoing',
			status: body.scheduledFor ? 'scheduled' : 'accepted',
			...pick(body, ['body', 'template', 'reference', 'replyTo', 'tags', 'scheduledFor', 'validity', 'meta']),
			...extra,
			createdAt: new Date(this.now()).toISOString(),
		};
		this.messages.push(message);
		return message;
	}

	private createConversation(body: Json, res: ServerResponse): number {
		const problems = checkConversation(body);
		if (Object.keys(problems).length) return invalid(res, problems);
		if (!this.channels.some((channel) => channel.id === body.channelId)) return notFound(res, 'Channel');
		const id = randomUUID();
		const participants = (body.participants as Json[]).map((participant) => {
			const contact = this.upsertContact(String(participant.identifierKey ?? 'phonenumber'), String(participant.identifierValue));
			return { id: contact.id, type: 'contact', status: 'active', displayName: contact.name, contact: { identifierKey: participant.identifierKey, identifierValue: participant.identifierValue } };
		});
		const initial = body.initialMessage as Json | undefined;
		const messages: Json[] = [];
		if (initial) {
			messages.push(this.record(String(body.channelId), initial, { conversationId: id, recipients: initial.recipients }));
		}
		const created = new Date(this.now()).toISOString();
		const conversation = {
			id,
			name: body.name ?? '',
			status: 'active',
			visibility: body.visibility ?? 'public',
			accessibility: body.accessibility ?? 'open',
			channelId: body.channelId,
			attributes: body.attributes ?? {},
			featuredParticipants: [{ id: randomUUID(), type: 'accessKey', status: 'active', displayName: 'Sandbox access key' }, ...participants],
			lastMessage: messages[0] ? lastMessage(messages[0]) : undefined,
			createdAt: created,
			updatedAt: created,
			platformStyle: 'direct',
			messages,
		};
		this.conversations.set(id, conversation);
		return send(res, 201, withoutMessages(conversation));
	}

	private reply(conversationId: string, body: Json, res: ServerResponse): number {
		const conversation = this.conversations.get(conversationId);
		if (!conversation) return notFound(res, 'Conversation');
		if (conversation.status === 'closed') return send(res, 409, { code: 'ConversationClosed', message: 'The conversation is closed' });
		const problems = checkConversationMessage(body);
		if (Object.keys(problems).length) return invalid(res, problems);
		const message = this.record(String(conversation.channelId), body, {
			conversationId,
			sender: { id: body.participantId, type: body.participantType, status: 'active' },
			recipients: body.recipients,
			draft: body.draft === true,
			source: 'conversations',
		});
		conversation.messages.push(message);
		conversation.lastMessage = lastMessage(message);
		return send(res, 202, message);
	}

	private webhookApi(method: string, rest: string[], body: Json, res: ServerResponse): number {
		if (method === 'GET' && !rest.length) return send(res, 200, { results: this.webhooks });
		if (method === 'POST' && !rest.length) {
			if (typeof body.url !== 'string' || typeof body.event !== 'string') {
				return invalid(res, { ...(typeof body.url === 'string' ? {} : { url: ['is required'] }), ...(typeof body.event === 'string' ? {} : { event: ['is required'] }) });
			}
			const hook = { id: randomUUID(), status: 'active', ...pick(body, ['service', 'event', 'url', 'signingKey', 'eventFilters']), createdAt: new Date(this.now()).toISOString() };
			this.webhooks.push(hook);
			return send(res, 201, hook);
		}
		const index = this.webhooks.findIndex((hook) => hook.id === rest[0]);
		if (method === 'DELETE' && rest.length === 1) {
			if (index < 0) return notFound(res, 'Webhook subscription');
			this.webhooks.splice(index, 1);
			return send(res, 204, undefined);
		}
		if (method === 'GET' && rest.length === 1) return index < 0 ? notFound(res, 'Webhook subscription') : send(res, 200, this.webhooks[index]);
		return send(res, 404, { code: 'NotFound', message: 'Unknown webhook route' });
	}

	private async control(method: string, url: URL, body: Json, res: ServerResponse): Promise<unknown> {
		const route = `${method} ${url.pathname}`;
		switch (route) {
			case 'GET /_sandbox':
				res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
				return res.end(this.page());
			case 'GET /_sandbox/messages':
				return send(res, 200, { results: this.messages });
			case 'GET /_sandbox/state':
				return send(res, 200, {
					channels: this.channels,
					contacts: this.contacts,
					conversations: [...this.conversations.values()],
					windows: Object.fromEntries([...this.windows].map(([key, value]) => [key, value === 'permanent' ? value : new Date(value).toISOString()])),
					webhooks: this.webhooks,
					log: this.log,
				});
			case 'POST /_sandbox/inbound':
				if (typeof body.identifierValue !== 'string') return invalid(res, { identifierValue: ['is required'] });
				return send(res, 201, await this.inbound(body as { identifierValue: string }));
			case 'POST /_sandbox/faults':
				this.faults.push({ mode: body.mode as Fault['mode'], count: Number(body.count ?? 1), retryAfter: body.retryAfter as number | undefined, delayMs: body.delayMs as number | undefined });
				return send(res, 201, { faults: this.faults });
			case 'POST /_sandbox/rate-limit':
				this.rateLimit = { ...this.rateLimit, ...(body as Partial<BirdSandbox['rateLimit']>) };
				return send(res, 200, this.rateLimit);
			case 'POST /_sandbox/reset':
				this.clear();
				return send(res, 200, { reset: true });
			default:
				return send(res, 404, { code: 'NotFound', message: `No sandbox control ${route}` });
		}
	}

	private page(): string {
		const rows = [...this.messages]
			.reverse()
			.map((message) => {
				const to = JSON.stringify(message.receiver ?? message.recipients ?? message.sender ?? '');
				const what = JSON.stringify(message.body ?? message.template ?? '');
				return `<tr><td>${escape(message.createdAt)}</td><td>${escape(message.direction)}</td><td>${escape(String(message.channelId).slice(0, 8))}</td><td><code>${escape(to)}</code></td><td><code>${escape(what)}</code></td><td>${escape(String(message.status ?? ''))}</td></tr>`;
			})
			.join('');
		return `<!doctype html><meta charset="utf-8"><title>Bird sandbox</title><meta http-equiv="refresh" content="5">
<style>body{font:14px system-ui;margin:2em}td,th{border-bottom:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}code{font-size:12px;word-break:break-all}</style>
<h1>Bird sandbox</h1><p>${this.messages.length} messages. JSON: <a href="/_sandbox/messages">/_sandbox/messages</a>, <a href="/_sandbox/state">/_sandbox/state</a>. This page refreshes every 5 s.</p>
<table><tr><th>When</th><th>Direction</th><th>Channel</th><th>To / from</th><th>Content</th><th>Status</th></tr>${rows}</table>`;
	}
}

function contactResource(contact: Contact): Json {
	return {
		id: contact.id,
		computedDisplayName: contact.name,
		featuredIdentifiers: contact.identifiers,
		identifiers: contact.identifiers.map(({ key, value }) => ({ identifierKey: key, identifierValue: value })),
		attributes: {},
	};
}

function lastMessage(message: Json): Json {
	const body = message.body as Json | undefined;
	return { id: message.id, type: body?.type ?? 'template', status: message.status, createdAt: message.createdAt };
}

function withoutMessages(conversation: Json): Json {
	const copy = { ...conversation };
	delete copy.messages;
	return copy;
}

function pick(source: Json, keys: string[]): Json {
	return Object.fromEntries(keys.filter((key) => source[key] !== undefined).map((key) => [key, source[key]]));
}

function escape(text: string): string {
	return text.replace(/[&<>"]/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[char] as string);
}

async function readBody(req: IncomingMessage): Promise<string> {
	const chunks: Buffer[] = [];
	for await (const chunk of req) chunks.push(chunk as Buffer);
	return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): number {
	res.writeHead(status, body === undefined ? headers : { 'content-type': 'application/json', ...headers });
	res.end(body === undefined ? undefined : JSON.stringify(body));
	return status;
}

function notFound(res: ServerResponse, what: string): number {
	return send(res, 404, { code: 'NotFound', message: `${what} not found` });
}

function invalid(res: ServerResponse, details: Problems): number {
	return send(res, 422, { code: 'InvalidPayload', message: 'The request did not pass validation', details });
}
