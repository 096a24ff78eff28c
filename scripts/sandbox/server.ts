/**
 * A local stand-in for api.bird.com: the endpoints this package calls, with Bird's
 * authentication, validation, answers and errors, seeded state, an inbound-message
 * simulator that opens service windows, grows conversations and delivers signed webhooks,
 * fault and rate-limit modes, and a page with a chat view and what was sent. A development
 * tool: never part of dist/.
 *
 * Control endpoints (no authentication) live under /_sandbox; see README.md.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import { MediaStore } from './media';
import { chatThread, sandboxPage } from './page';
import { handleResource } from './resources';
import { findTemplate, TEMPLATES, templateProblems } from './templates';
import type { Problems } from './validate';
import { checkChannelMessage, checkConversation, checkConversationMessage } from './validate';
import { Webhooks } from './webhooks';

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
	/** "Order update": locales en and nl; its active version has one variable, `name`. */
	templateProjectId: 'ce6a2fd6-b2fa-4f5a-a2cd-f3bd15883318',
	/** "Appointment reminder": locales en, nl and pt-BR; variables `name`, `date` and `clinic`. */
	reminderProjectId: 'd4c3b2a1-9f8e-4d7c-8b6a-5f4e3d2c1b0a',
	/** The ID Bird gives the sandbox's access key as a conversation participant. */
	accessKeyId: 'a1b2c3d4-0000-4000-8000-00000000acce',
	/** A contact who wrote an hour ago: their WhatsApp window is open. */
	openContact: { id: 'c1a2b3c4-0000-4000-8000-000000000001', phone: '+31612345678', name: 'Jane Open' },
	/** A contact who wrote two days ago: their window has closed. */
	closedContact: { id: 'c1a2b3c4-0000-4000-8000-000000000002', phone: '+31687654321', name: 'Joe Closed' },
} as const;

const HOUR = 3_600_000;

/** What customers send in the chat view: a 1×1 PNG, a few bytes of an Ogg voice note, a one-page PDF. */
const CUSTOMER_FILES = {
	image: { contentType: 'image/png', fileName: 'photo.png', data: Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==', 'base64') },
	voice: { contentType: 'audio/ogg', fileName: 'voice-note.ogg', data: Buffer.concat([Buffer.from('OggS'), Buffer.alloc(2048, 7)]) },
	pdf: { contentType: 'application/pdf', fileName: 'invoice.pdf', data: Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Count 0/Kids[]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n') },
};

export interface Contact {
	id: string;
	identifiers: Array<{ key: string; value: string }>;
	name: string;
}

/**
 * One queued fault for the next `count` API requests. 429/500/503 answer at once without
 * processing the request; 403 is Bird refusing an access key whose role lacks the permission; `reset` drops the connection without processing it; `slow` processes
 * it after `delayMs`; `malformed` processes it and answers with half of the JSON; `echo` is a
 * gateway's 502 page that repeats the request's headers, access key included; `echoDetails` is a
 * 422 whose `details` (and code) repeat the Authorization header, as a careless proxy might.
 * `gateway502`/`gateway504` are a proxy in front of Bird that gave up waiting: Bird processed the
 * request (a message goes out), but the answer is the proxy's HTML page, not Bird's.
 */
export interface Fault {
	mode: '403' | '429' | '500' | '503' | 'slow' | 'reset' | 'malformed' | 'echo' | 'echoDetails' | 'gateway502' | 'gateway504';
	count: number;
	/** Which requests it hits: Bird's API (default) or the upload storage. */
	scope?: 'api' | 'storage';
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
	readonly webhooks: Webhooks;
	/** Pre-signed uploads and the files stored through them. */
	readonly media = new MediaStore(() => this.url);
	/** Every API request (not control requests), for tests and benchmarks. */
	readonly log: Array<{ method: string; path: string; status: number; at: number }> = [];
	readonly faults: Fault[] = [];
	rateLimit = { enabled: false, post: 500, get: 50 };
	/** How long after answering 202 the sandbox validates a batch's messages, as Bird does asynchronously. */
	batchValidationMs = 100;
	private readonly windowCounts = new Map<string, number>();
	private server?: Server;

	constructor(private readonly now: () => number = Date.now) {
		this.webhooks = new Webhooks(now);
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

	upsertContact(key: string, value: string): Contact {
		let contact = this.findContact(key, value);
		if (!contact) {
			contact = { id: randomUUID(), identifiers: [{ key, value }], name: value };
			this.contacts.push(contact);
		}
		return contact;
	}

	/** Files customers sent (a photo, a voice note, a PDF), served as Bird's media host serves them: only with the access key. */
	readonly customerMedia = new Map<string, { contentType: string; fileName: string; data: Buffer }>();

	/** A file a customer sends, stored and given a media URL; the body part of an inbound message that carries it. */
	customerFile(kind: 'image' | 'voice' | 'pdf', caption?: string): Json {
		const id = randomUUID();
		const file = CUSTOMER_FILES[kind];
		this.customerMedia.set(id, { ...file });
		const mediaUrl = `${this.url}/media/workspaces/${SANDBOX.workspaceId}/messages/${id}/media/${id}`;
		if (kind === 'image') return { type: 'image', image: { images: [{ mediaUrl }], ...(caption ? { text: caption } : {}) } };
		return { type: 'file', file: { files: [{ mediaUrl, contentType: file.contentType, filename: file.fileName }], ...(caption ? { text: caption } : {}) } };
	}

	/**
	 * A customer writes to a channel: their window opens for 24 hours, the message joins their
	 * conversation on that channel (a new one if they have none: Bird does this on channels with
	 * Conversations enabled), and the channel's and the conversation's webhooks fire.
	 * `late` simulates handling the message 25 hours after it was sent: its window has closed,
	 * unless a newer message from the same customer keeps it open.
	 */
	async inbound(input: { channelId?: string; identifierKey?: string; identifierValue: string; text?: string; body?: Json; late?: boolean; replyTo?: Json }): Promise<SentMessage> {
		const channelId = input.channelId ?? SANDBOX.channels.whatsapp;
		const identifierKey = input.identifierKey ?? 'phonenumber';
		const contact = this.upsertContact(identifierKey, input.identifierValue);
		const sentAt = input.late ? this.now() - 25 * HOUR : this.now();
		// The window runs 24 hours from the customer's newest message: an older one handled late never shortens it.
		const windowKey = `${channelId}|${contact.id}`;
		const open = this.windows.get(windowKey);
		if (open !== 'permanent') this.windows.set(windowKey, Math.max(open ?? 0, sentAt + 24 * HOUR));
		const conversation = this.conversationWith(channelId, contact);
		const message: SentMessage = {
			id: randomUUID(),
			channelId,
			conversationId: conversation.id,
			direction: 'incoming',
			status: 'delivered',
			sender: { contact: { id: contact.id, identifierKey, identifierValue: input.identifierValue, annotations: { name: contact.name } } },
			body: input.body ?? { type: 'text', text: { text: input.text ?? 'Hello' } },
			...(input.replyTo ? { replyTo: input.replyTo } : {}),
			createdAt: new Date(sentAt).toISOString(),
		};
		this.messages.push(message);
		const created = conversation.messages.length === 0;
		this.addToConversation(conversation, message, { id: contact.id, type: 'contact', displayName: contact.name }, sentAt);
		// The channel's copy of the message does not name the conversation (Bird's channel messages do not).
		const channelMessage: Json = { ...message };
		delete channelMessage.conversationId;
		await this.webhooks.emit('channels', `${this.platformOf(channelId)}.inbound`, channelMessage, { channelId, platformId: this.platformIdOf(channelId) });
		await this.emitConversation(created ? 'conversation.created' : 'conversation.updated', conversation);
		return message;
	}

	/** A message the business sent through a channel, as if through the API (tests set up a conversation this way). */
	businessMessage(input: { channelId: string; to: string; body: Json }): SentMessage {
		const contact = this.upsertContact('phonenumber', input.to);
		return this.record(input.channelId, { body: input.body }, { receiver: { contacts: [{ identifierKey: 'phonenumber', identifierValue: input.to, id: contact.id }] }, status: 'sent' });
	}

	/**
	 * A contact taps a reply button of a message the business sent, as WhatsApp taps reach Bird:
	 * an inbound text with the button's words, the tapped postback in its `actions`, and
	 * `replyTo` {id: the message, type: "click"}. `button` is the button's index or its words.
	 */
	async tap(input: { messageId: string; button?: number | string }): Promise<SentMessage | undefined> {
		const message = this.messages.find((candidate) => candidate.id === input.messageId && candidate.direction === 'outgoing');
		const body = (message?.body ?? {}) as Json;
		const actions = (((body[String(body.type)] ?? {}) as Json).actions ?? []) as Json[];
		const buttons = actions
			.map((action) => (action[String(action.type)] ?? {}) as Json)
			.filter((button, n) => ['reply', 'postback'].includes(String(actions[n].type)) && typeof button.text === 'string');
		const chosen = typeof input.button === 'string' ? buttons.find((button) => button.text === input.button) : buttons[input.button ?? 0];
		const contact = ((message?.receiver as Json | undefined)?.contacts as Json[] | undefined)?.[0];
		if (!message || !chosen || !contact) return undefined;
		return await this.inbound({
			channelId: message.channelId,
			identifierKey: String(contact.identifierKey ?? 'phonenumber'),
			identifierValue: String(contact.identifierValue),
			body: { type: 'text', text: { text: chosen.text, actions: [{ type: 'postback', postback: { text: chosen.text, payload: String(chosen.payload ?? chosen.text) } }] } },
			replyTo: { id: message.id, type: 'click' },
		});
	}

	/** A contact interacts with a message Bird sent (clicked a button, read it, reacted). */
	async interaction(input: { messageId: string; type?: string; payload?: string; emoji?: string }): Promise<Json | undefined> {
		const message = this.messages.find((candidate) => candidate.id === input.messageId);
		if (!message) return undefined;
		const type = input.type ?? 'clicked';
		const interaction = {
			id: randomUUID(),
			messageId: message.id,
			channelId: message.channelId,
			platformId: this.platformIdOf(message.channelId),
			type,
			receiver: message.receiver,
			createdAt: new Date(this.now()).toISOString(),
			metadata: {
				...(input.payload === undefined ? {} : { button: { payload: input.payload } }),
				...(input.emoji === undefined ? {} : { reaction: { emoji: input.emoji, action: 'react' } }),
			},
		};
		await this.webhooks.emit('channels', `${this.platformOf(message.channelId)}.interaction`, interaction, {
			channelId: message.channelId,
			platformId: this.platformIdOf(message.channelId),
			interactionType: type,
		});
		return interaction;
	}

	private platformIdOf(channelId: string): string {
		return String(this.channels.find((channel) => channel.id === channelId)?.platformId ?? 'whatsapp');
	}

	/** The platform part of Bird's channel event names: sms-messagebird → sms. */
	private platformOf(channelId: string): string {
		return this.platformIdOf(channelId).split('-')[0];
	}

	/** The contact's active conversation on the channel, or a new, still empty one. */
	private conversationWith(channelId: string, contact: Contact): Json & { messages: Json[] } {
		for (const conversation of this.conversations.values()) {
			const participants = (conversation.featuredParticipants ?? []) as Json[];
			if (conversation.channelId === channelId && conversation.status === 'active' && participants.some((p) => p.type === 'contact' && p.id === contact.id)) {
				return conversation;
			}
		}
		const at = new Date(this.now()).toISOString();
		const [identifier] = contact.identifiers;
		const participant = { id: contact.id, type: 'contact', status: 'active', displayName: contact.name, contact: { identifierKey: identifier.key, identifierValue: identifier.value, platformAddress: identifier.value } };
		const conversation = {
			id: randomUUID(),
			name: '',
			status: 'active',
			visibility: 'public',
			accessibility: 'open',
			channelId,
			attributes: {},
			featuredParticipants: [participant],
			initiatingParticipant: { id: contact.id, type: 'contact', status: 'active' },
			createdAt: at,
			updatedAt: at,
			platformStyle: 'direct',
			messages: [] as Json[],
		};
		this.conversations.set(conversation.id, conversation);
		return conversation;
	}

	private addToConversation(conversation: Json & { messages: Json[] }, message: Json, sender: Json, at = this.now()): void {
		conversation.messages.push(message);
		conversation.lastMessage = lastMessage(message, sender);
		conversation.updatedAt = new Date(at).toISOString();
	}

	private async emitConversation(event: string, conversation: Json): Promise<void> {
		await this.webhooks.emit('conversations', event, withoutMessages(conversation), { channelId: String(conversation.channelId) });
	}

	/** Status events of a message the sandbox accepted: accepted now, delivered a moment later. */
	private emitStatuses(message: SentMessage): void {
		const event = `${this.platformOf(message.channelId)}.outbound`;
		if (!this.webhooks.subscriptions.some((subscription) => subscription.event === event)) return;
		const facts = { channelId: message.channelId, platformId: this.platformIdOf(message.channelId) };
		void this.webhooks.emit('channels', event, { ...message }, { ...facts, messageStatus: String(message.status) });
		setTimeout(() => {
			message.status = 'delivered';
			message.lastStatusAt = new Date(this.now()).toISOString();
			void this.webhooks.emit('channels', event, { ...message }, { ...facts, messageStatus: 'delivered' });
		}, 300).unref();
	}

	/** Forgets sent messages, uploads, deliveries, the request log and queued faults, and turns the rate limit off. */
	clear(): void {
		this.messages.length = 0;
		this.media.uploads.clear();
		this.webhooks.deliveries.length = 0;
		this.log.length = 0;
		this.faults.length = 0;
		this.rateLimit = { ...this.rateLimit, enabled: false };
	}

	/** Applies the next queued fault, if any; the status it answered with (0: no answer), or undefined. */
	private async fault(res: ServerResponse, req: IncomingMessage, scope: 'api' | 'storage' = 'api'): Promise<number | undefined> {
		const fault = this.faults.find((candidate) => (candidate.scope ?? 'api') === scope);
		if (!fault) return undefined;
		if (--fault.count <= 0) this.faults.splice(this.faults.indexOf(fault), 1);
		switch (fault.mode) {
			case '429':
				return send(res, 429, { code: 'TooManyRequests', message: 'Too many requests' }, fault.retryAfter === undefined ? {} : { 'retry-after': String(fault.retryAfter) });
			case '403':
				return send(res, 403, { code: 'Forbidden', message: 'The access key has no permission for this action' });
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
			case 'echoDetails': {
				const authorization = String(req.headers.authorization);
				return send(res, 422, {
					code: 'InvalidPayload',
					message: 'The request did not pass validation',
					details: { 'headers.authorization': [`${authorization} is not allowed for this route`], request: { headers: { authorization } } },
				});
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
			case 'gateway502':
			case 'gateway504': {
				// Processed as usual; whatever Bird answers is replaced by the gateway's page.
				const status = fault.mode === 'gateway502' ? 502 : 504;
				const page = `<html><head><title>${status}</title></head><body><h1>${status === 502 ? '502 Bad Gateway' : '504 Gateway Time-out'}</h1></body></html>`;
				const writeHead = res.writeHead.bind(res);
				const end = res.end.bind(res) as (chunk?: string) => ServerResponse;
				res.writeHead = (() => writeHead(status, { 'content-type': 'text/html' })) as typeof res.writeHead;
				res.end = (() => end(page)) as typeof res.end;
				return undefined;
			}
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
		const bytes = await readBody(req);
		// Storage, not Bird: multipart uploads in, stored files out.
		if (url.pathname.startsWith('/_storage/') && method === 'POST') {
			const faulted = await this.fault(res, req, 'storage');
			if (faulted !== undefined) {
				this.log.push({ method, path: url.pathname, status: faulted, at: this.now() });
				return;
			}
			const [status, problem] = this.media.receive(url.pathname.slice('/_storage/'.length), req.headers, bytes);
			this.log.push({ method, path: url.pathname, status, at: this.now() });
			res.writeHead(status, problem ? { 'content-type': 'application/xml' } : {});
			res.end(problem ? `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${problem.split(':')[0]}</Code><Message>${problem}</Message></Error>` : undefined);
			return;
		}
		if (url.pathname.startsWith('/media/') && method === 'GET') {
			// Bird's media host: a customer's file, for the access key only.
			const file = this.customerMedia.get(url.pathname.split('/').pop() ?? '');
			this.log.push({ method, path: url.pathname, status: 0, at: this.now() });
			const entry = this.log[this.log.length - 1];
			if (req.headers.authorization !== `AccessKey ${SANDBOX.accessKey}`) return void (entry.status = send(res, 401, { code: 'Unauthorized', message: 'The access key is missing or invalid' }));
			if (!file) return void (entry.status = send(res, 404, { code: 'NotFound', message: 'No such media' }));
			entry.status = 200;
			res.writeHead(200, { 'content-type': file.contentType, 'content-length': file.data.length });
			res.end(file.data);
			return;
		}
		if (url.pathname.startsWith('/_media/') && method === 'GET') {
			const stored = this.media.uploads.get(url.pathname.slice('/_media/'.length))?.stored;
			if (!stored) return void send(res, 404, { code: 'NotFound', message: 'No such media' });
			res.writeHead(200, { 'content-type': stored.contentType || 'application/octet-stream', 'content-length': stored.data.length });
			res.end(stored.data);
			return;
		}
		const raw = bytes.toString('utf8');
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
		if (orgHooks && parts[1] !== SANDBOX.organizationId) return send(res, 404, { code: 'NotFound', message: 'Organization not found' });
		if (ws !== SANDBOX.workspaceId) return send(res, 404, { code: 'NotFound', message: 'Workspace not found' });
		if (orgHooks) return this.webhookApi(method, parts.slice(5), body, res);
		const [, , collection, id, sub, subId] = parts;
		const idPart = collection === 'contacts' && id === 'search' ? 'search' : id && ':id';
		const route = `${method} ${[collection, idPart, sub, subId && ':sub'].filter(Boolean).join('/')}`;
		const channel = this.channels.find((candidate) => candidate.id === id);
		// Contacts, lists, message reads and conversation management (resources.ts) answer first.
		const handled = handleResource(this, method, parts.slice(2), url, body, res);
		if (handled !== undefined) return handled;

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
				const problems = { ...checkChannelMessage(body, this.now()), ...this.contentProblems(body, '') };
				if (Object.keys(problems).length) return invalid(res, problems);
				const blocked = this.templateOnly(channel, body, ((body.receiver as Json).contacts ?? []) as Json[]);
				if (blocked) return send(res, 422, { code: 'ServiceWindowClosed', message: blocked, details: { body: [blocked] } });
				const contacts = ((body.receiver as Json).contacts as Json[]).map((contact) =>
					contact.identifierKey ? this.upsertContact(String(contact.identifierKey), String(contact.identifierValue)) : undefined,
				);
				const message = this.record(String(channel.id), body, { receiver: body.receiver, contactIds: contacts.map((c) => c?.id) });
				send(res, 202, message);
				this.emitStatuses(message);
				return 202;
			}
			case 'POST channels/:id/batch/:sub':
				return channel && subId === 'messages' ? this.batch(channel, body, res) : notFound(res, 'Channel');
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
			case 'GET projects': {
				const q = (url.searchParams.get('q') ?? '').toLowerCase();
				return send(res, 200, { results: TEMPLATES.map((template) => template.project).filter((project) => !q || String(project.name).toLowerCase().includes(q)) });
			}
			case 'GET projects/:id': {
				const template = findTemplate(String(id));
				return template ? send(res, 200, template.project) : notFound(res, 'Project');
			}
			case 'GET projects/:id/channel-templates': {
				const template = findTemplate(String(id));
				return template ? send(res, 200, { results: template.versions }) : notFound(res, 'Project');
			}
			case 'POST channel-media/:id':
				if (id !== 'presigned-upload') return notFound(res, 'Route');
				if (typeof body.contentType !== 'string' || !/^[\w.+-]+\/[\w.+-]+$/.test(body.contentType)) return invalid(res, { contentType: ['is required and must be a MIME type'] });
				return send(res, 200, this.media.presign(body.contentType, 'channel-media'));
			case 'POST conversations/:id/presigned-upload':
				if (!this.conversations.has(String(id))) return notFound(res, 'Conversation');
				if (typeof body.contentType !== 'string' || !/^[\w.+-]+\/[\w.+-]+$/.test(body.contentType)) return invalid(res, { contentType: ['is required and must be a MIME type'] });
				return send(res, 200, this.media.presign(body.contentType, String(id)));
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

	/**
	 * Bird's batch endpoint: up to 100 messages, answered 202 with a batch ID at once; each message
	 * is listed as "accepted" and validated a moment later, when it becomes "sent" or "rejected"
	 * with a failure. The batch counts as one request against the rate limit.
	 */
	private batch(channel: Json, body: Json, res: ServerResponse): number {
		const requests = body.messageRequests;
		if (!Array.isArray(requests) || requests.length < 1 || requests.length > 100) {
			return invalid(res, { messageRequests: ['must be an array of 1 to 100 messages'] });
		}
		const batchId = randomUUID();
		const queued = (requests as Json[]).map((request) => ({
			request,
			message: this.record(String(channel.id), request, { receiver: request.receiver, batchId, status: 'accepted' }),
		}));
		send(res, 202, { batchId, status: 'accepted', count: queued.length });
		setTimeout(() => {
			for (const { request, message } of queued) {
				const problems = { ...checkChannelMessage(request, this.now()), ...this.contentProblems(request, '') };
				const closed = this.templateOnly(channel, request, (((request.receiver as Json | undefined)?.contacts ?? []) as Json[]));
				if (closed) problems.body = [closed];
				if (Object.keys(problems).length) {
					const [field, [problem]] = Object.entries(problems)[0];
					Object.assign(message, { status: 'rejected', failure: { code: closed ? 'ServiceWindowClosed' : 'InvalidPayload', description: `${field}: ${problem}`, details: problems } });
					continue;
				}
				for (const contact of ((request.receiver as Json).contacts ?? []) as Json[]) {
					if (contact.identifierKey) this.upsertContact(String(contact.identifierKey), String(contact.identifierValue));
				}
				message.status = 'sent';
				this.emitStatuses(message);
			}
		}, this.batchValidationMs).unref();
		return 202;
	}

	/** What Bird checks of a message's content beyond its shape: its template, and media it says it uploaded. */
	private contentProblems(message: Json, path: string): Record<string, string[]> {
		const prefix = path ? `${path}.` : '';
		const template = message.template as Json | undefined;
		return {
			...(template && typeof template === 'object' ? templateProblems(template, `${prefix}template`) : {}),
			...this.media.problems(message.body, `${prefix}body`),
		};
	}

	/** WhatsApp outside the window: only templates (Bird refuses free-form messages then). */
	private templateOnly(channel: Json | undefined, body: Json, recipients: Json[]): string | undefined {
		if (channel?.platformId !== 'whatsapp' || body.template !== undefined) return undefined;
		for (const raw of recipients) {
			const contact = raw.id ? this.contacts.find((c) => c.id === raw.id) : this.findContact(String(raw.identifierKey ?? 'phonenumber'), String(raw.identifierValue));
			const window = contact && this.windows.get(`${channel.id}|${contact.id}`);
			if (window !== 'permanent' && !(typeof window === 'number' && window > this.now())) {
				return `The customer service window with ${String(raw.identifierValue ?? (raw.contact as Json | undefined)?.identifierValue ?? raw.id)} is closed: send a template`;
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
		const problems = { ...checkConversation(body), ...(body.initialMessage ? this.contentProblems(body.initialMessage as Json, 'initialMessage') : {}) };
		if (Object.keys(problems).length) return invalid(res, problems);
		if (!this.channels.some((channel) => channel.id === body.channelId)) return notFound(res, 'Channel');
		const id = randomUUID();
		const participants = (body.participants as Json[]).map((participant) => {
			const contact = this.upsertContact(String(participant.identifierKey ?? 'phonenumber'), String(participant.identifierValue));
			return { id: contact.id, type: 'contact', status: 'active', displayName: contact.name, contact: { identifierKey: participant.identifierKey, identifierValue: participant.identifierValue } };
		});
		const initial = body.initialMessage as Json | undefined;
		const messages: SentMessage[] = [];
		if (initial) {
			messages.push(this.record(String(body.channelId), initial, { conversationId: id, recipients: initial.recipients }));
		}
		const created = new Date(this.now()).toISOString();
		const accessKey = { id: SANDBOX.accessKeyId, type: 'accessKey', status: 'active', displayName: 'Sandbox access key' };
		const conversation = {
			id,
			name: body.name ?? '',
			status: 'active',
			visibility: body.visibility ?? 'public',
			accessibility: body.accessibility ?? 'open',
			channelId: body.channelId,
			attributes: body.attributes ?? {},
			featuredParticipants: [accessKey, ...participants],
			lastMessage: messages[0] ? lastMessage(messages[0], accessKey) : undefined,
			createdAt: created,
			updatedAt: created,
			platformStyle: 'direct',
			messages,
		};
		this.conversations.set(id, conversation);
		send(res, 201, withoutMessages(conversation));
		void this.emitConversation('conversation.created', conversation);
		messages.forEach((message) => this.emitStatuses(message));
		return 201;
	}

	private reply(conversationId: string, body: Json, res: ServerResponse): number {
		const conversation = this.conversations.get(conversationId);
		if (!conversation) return notFound(res, 'Conversation');
		if (conversation.status === 'closed') return send(res, 409, { code: 'ConversationClosed', message: 'The conversation is closed' });
		const problems = { ...checkConversationMessage(body), ...this.contentProblems(body, '') };
		if (Object.keys(problems).length) return invalid(res, problems);
		const channel = this.channels.find((candidate) => candidate.id === conversation.channelId);
		const contacts = ((conversation.featuredParticipants ?? []) as Json[]).filter((participant) => participant.type === 'contact');
		const blocked = body.draft === true ? undefined : this.templateOnly(channel, body, (body.recipients as Json[] | undefined) ?? contacts);
		if (blocked) return send(res, 422, { code: 'ServiceWindowClosed', message: blocked, details: { body: [blocked] } });
		// A sender that is not a participant yet joins when asked to (addMissingParticipants).
		const participants = (conversation.featuredParticipants ?? []) as Json[];
		if (body.addMissingParticipants === true && !participants.some((participant) => participant.id === body.participantId)) {
			participants.unshift(
				body.participantType === 'accessKey' && body.participantId === SANDBOX.accessKeyId
					? { id: body.participantId, type: 'accessKey', status: 'active', displayName: 'Sandbox access key' }
					: { id: body.participantId, type: body.participantType, status: 'active' },
			);
			conversation.featuredParticipants = participants;
		}
		const message = this.record(String(conversation.channelId), body, {
			conversationId,
			sender: { id: body.participantId, type: body.participantType, status: 'active' },
			recipients: body.recipients,
			draft: body.draft === true,
			source: 'conversations',
		});
		this.addToConversation(conversation, message, { id: body.participantId, type: body.participantType });
		send(res, 202, message);
		if (body.draft !== true) {
			void this.emitConversation('conversation.updated', conversation);
			this.emitStatuses(message);
		}
		return 202;
	}

	private webhookApi(method: string, rest: string[], body: Json, res: ServerResponse): number {
		if (method === 'GET' && !rest.length) return send(res, 200, { results: this.webhooks.subscriptions });
		if (method === 'POST' && !rest.length) {
			const problems = this.webhooks.check(body);
			if (Object.keys(problems).length) return invalid(res, problems);
			return send(res, 201, this.webhooks.create(body, { organizationId: SANDBOX.organizationId, workspaceId: SANDBOX.workspaceId }));
		}
		const subscription = this.webhooks.find(rest[0]);
		if (rest.length === 1 && !subscription) return notFound(res, 'Webhook subscription');
		if (method === 'DELETE' && subscription) {
			this.webhooks.remove(subscription.id);
			return send(res, 204, undefined);
		}
		if (method === 'GET' && subscription) return send(res, 200, subscription);
		return send(res, 404, { code: 'NotFound', message: 'Unknown webhook route' });
	}

	private async control(method: string, url: URL, body: Json, res: ServerResponse): Promise<unknown> {
		const route = `${method} ${url.pathname}`;
		switch (route) {
			case 'GET /_sandbox':
				res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
				return res.end(sandboxPage());
			case 'GET /_sandbox/chat': {
				const contact =
					this.contacts.find((candidate) => candidate.id === url.searchParams.get('contactId')) ??
					this.findContact('phonenumber', String(url.searchParams.get('identifierValue')));
				return send(res, 200, chatThread(this, SANDBOX.channels.whatsapp, contact));
			}
			case 'GET /_sandbox/deliveries':
				return send(res, 200, { results: this.webhooks.deliveries });
			case 'POST /_sandbox/redeliver': {
				const chosen = typeof body.requestId === 'string' ? this.webhooks.deliveries.find((delivery) => delivery.requestId === body.requestId) : undefined;
				const delivery = await this.webhooks.redeliver(chosen ?? this.webhooks.deliveries[this.webhooks.deliveries.length - 1], {
					ageSeconds: typeof body.ageSeconds === 'number' ? body.ageSeconds : undefined,
				});
				return delivery ? send(res, 200, delivery) : notFound(res, 'Delivery');
			}
			case 'POST /_sandbox/tap': {
				const tapped = typeof body.messageId === 'string' ? await this.tap(body as { messageId: string; button?: number | string }) : undefined;
				return tapped ? send(res, 201, tapped) : notFound(res, 'Message with that button');
			}
			case 'POST /_sandbox/interaction': {
				const interaction = typeof body.messageId === 'string' ? await this.interaction(body as { messageId: string }) : undefined;
				return interaction ? send(res, 201, interaction) : notFound(res, 'Message');
			}
			case 'GET /_sandbox/messages':
				return send(res, 200, { results: this.messages });
			case 'GET /_sandbox/state':
				return send(res, 200, {
					channels: this.channels,
					contacts: this.contacts,
					conversations: [...this.conversations.values()],
					windows: Object.fromEntries([...this.windows].map(([key, value]) => [key, value === 'permanent' ? value : new Date(value).toISOString()])),
					webhooks: this.webhooks.subscriptions,
					deliveries: this.webhooks.deliveries,
					log: this.log,
				});
			case 'POST /_sandbox/inbound':
				if (typeof body.identifierValue !== 'string') return invalid(res, { identifierValue: ['is required'] });
				if (body.media === 'image' || body.media === 'voice' || body.media === 'pdf') {
					body.body = this.customerFile(body.media, typeof body.text === 'string' && body.text ? body.text : undefined);
				}
				return send(res, 201, await this.inbound(body as Parameters<BirdSandbox['inbound']>[0]));
			case 'POST /_sandbox/faults':
				this.faults.push({
					mode: body.mode as Fault['mode'],
					count: Number(body.count ?? 1),
					retryAfter: body.retryAfter as number | undefined,
					delayMs: body.delayMs as number | undefined,
					scope: body.scope as Fault['scope'],
				});
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

}

/** A conversation's `lastMessage`: what Bird shows of its newest message, and who sent it. */
function lastMessage(message: Json, sender: Json): Json {
	const body = message.body as Json | undefined;
	const type = String(body?.type ?? 'template');
	const content = (body?.[type] ?? {}) as Json;
	const text = typeof content.text === 'string' ? content.text : type === 'template' ? 'Template' : '';
	return { id: message.id, type, preview: { text }, status: message.status, sender, createdAt: message.createdAt };
}

function withoutMessages(conversation: Json): Json {
	const copy = { ...conversation };
	delete copy.messages;
	return copy;
}

function pick(source: Json, keys: string[]): Json {
	return Object.fromEntries(keys.filter((key) => source[key] !== undefined).map((key) => [key, source[key]]));
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
	const chunks: Buffer[] = [];
	for await (const chunk of req) chunks.push(chunk as Buffer);
	return Buffer.concat(chunks);
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
