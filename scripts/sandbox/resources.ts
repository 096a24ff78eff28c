/**
 * The sandbox's Contacts API (contacts with identifiers, attributes and lists; search; Bird's
 * upsert by identifier; contact lists and their members), message reads (one message, a
 * channel's messages with Bird's filters) and conversation management (list, update,
 * participants). The server hands every API request here first (`handleResource`); what this
 * module does not know, the server answers.
 *
 * It answers as Bird does: 404 for unknown IDs, 409 for an identifier another contact has, 422
 * with `details` (field → messages) for invalid input, and lists in pages (`limit`, `pageToken`,
 * `nextPageToken`) no larger than Bird's maximum for the endpoint.
 */
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';

import type { BirdSandbox, Contact, SentMessage } from './server';

type Json = Record<string, unknown>;
type Problems = Record<string, string[]>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const E164 = /^\+[1-9]\d{6,14}$/;
const EMAIL = /^[^\s@,;]+@[^\s@,;]+\.[^\s@,;]+$/;

const MESSAGE_STATUSES = ['accepted', 'rejected', 'processing', 'scheduled', 'sent', 'sending_failed', 'delivered', 'delivery_failed', 'deleted', 'skipped'];
const PARTICIPANT_TYPES = ['contact', 'user', 'accessKey', 'flow'];
const STRATEGIES = ['strict_alias', 'first_alias', 'first'];

/** The contact lists the sandbox starts with. */
export const SANDBOX_LISTS = {
	vip: { id: 'b7e1c2d3-0000-4000-8000-00000000a11a', name: 'VIP customers' },
	newsletter: { id: 'b7e1c2d3-0000-4000-8000-00000000a11b', name: 'Newsletter' },
} as const;

interface ContactList {
	id: string;
	name: string;
	description: string;
	createdAt: string;
	updatedAt: string;
}

/** What Bird keeps of a contact beyond what the server's model holds (its ID, identifiers and name). */
interface ContactExtra {
	attributes: Json;
	listIds: string[];
	createdAt: string;
	updatedAt: string;
}

type Identifier = { key: string; value: string };

function send(res: ServerResponse, status: number, body: unknown): number {
	res.writeHead(status, body === undefined ? {} : { 'content-type': 'application/json' });
	res.end(body === undefined ? undefined : JSON.stringify(body));
	return status;
}

const notFound = (res: ServerResponse, what: string) => send(res, 404, { code: 'NotFound', message: `${what} not found` });
const invalid = (res: ServerResponse, details: Problems) => send(res, 422, { code: 'InvalidPayload', message: 'The request did not pass validation', details });
const add = (problems: Problems, path: string, problem: string) => (problems[path] ??= []).push(problem);
const isObject = (value: unknown): value is Json => !!value && typeof value === 'object' && !Array.isArray(value);
const now = () => new Date().toISOString();

/** Bird's page tokens are opaque; the sandbox's hold an offset. */
const token = (offset: number) => Buffer.from(`offset:${offset}`).toString('base64');
function offsetOf(pageToken: string): number | undefined {
	const match = /^offset:(\d+)$/.exec(Buffer.from(pageToken, 'base64').toString('utf8'));
	return match ? Number(match[1]) : undefined;
}

/** One page of `items` as Bird lists: `limit` from 1 to `max` (10 when absent), `pageToken`, `nextPageToken`. */
function page(res: ServerResponse, url: URL, items: unknown[], max: number): number {
	const problems: Problems = {};
	const rawLimit = url.searchParams.get('limit');
	const limit = rawLimit === null ? 10 : Number(rawLimit);
	if (!Number.isInteger(limit) || limit < 1 || limit > max) add(problems, 'limit', `must be a whole number from 1 to ${max}`);
	const rawToken = url.searchParams.get('pageToken');
	const start = rawToken === null ? 0 : offsetOf(rawToken);
	if (start === undefined) add(problems, 'pageToken', 'is not a valid page token');
	if (Object.keys(problems).length) return invalid(res, problems);
	const from = start as number;
	const next = from + limit < items.length ? token(from + limit) : undefined;
	return send(res, 200, { results: items.slice(from, from + limit), ...(next ? { nextPageToken: next } : {}) });
}

/** Bird's checks of one identifier: a key, and a value that fits it. */
function checkIdentifier(problems: Problems, raw: unknown, path: string): Identifier | undefined {
	if (!isObject(raw) || typeof raw.key !== 'string' || !raw.key || typeof raw.value !== 'string' || !raw.value) {
		add(problems, path, 'must be {key, value} with a non-empty key and value');
		return undefined;
	}
	if (raw.key === 'phonenumber' && !E164.test(raw.value)) add(problems, `${path}.value`, 'is not a valid E.164 phone number');
	if (raw.key === 'emailaddress' && !EMAIL.test(raw.value)) add(problems, `${path}.value`, 'is not a valid email address');
	return { key: raw.key, value: raw.value };
}

function identifierList(problems: Problems, raw: unknown, path: string): Identifier[] {
	if (raw === undefined || raw === null) return [];
	if (!Array.isArray(raw)) {
		add(problems, path, 'must be a list of {key, value}');
		return [];
	}
	return raw.map((entry, index) => checkIdentifier(problems, entry, `${path}[${index}]`)).filter((entry): entry is Identifier => !!entry);
}

/** Attribute values: text, numbers, true/false, null, or non-empty lists of those. */
function checkAttributes(problems: Problems, raw: unknown, path: string, textOnly = false): Json | undefined {
	if (raw === undefined || raw === null) return undefined;
	if (!isObject(raw)) {
		add(problems, path, 'must be an object');
		return undefined;
	}
	const scalar = (value: unknown) => (textOnly ? typeof value === 'string' : ['string', 'number', 'boolean'].includes(typeof value));
	for (const [key, value] of Object.entries(raw)) {
		const fine = scalar(value) || (!textOnly && (value === null || (Array.isArray(value) && value.length > 0 && value.every(scalar))));
		if (!fine) add(problems, `${path}.${key}`, textOnly ? 'must be a string' : 'must be a string, number, boolean, null or a non-empty list of those');
	}
	return raw;
}

export class SandboxResources {
	readonly lists: ContactList[];
	private readonly extras = new Map<string, ContactExtra>();

	constructor(private readonly sandbox: BirdSandbox) {
		const at = now();
		this.lists = Object.values(SANDBOX_LISTS).map((list) => ({ ...list, description: '', createdAt: at, updatedAt: at }));
	}

	/** The answer's status when this module knows the route; undefined to let the server answer. */
	route(method: string, path: string[], url: URL, body: Json, res: ServerResponse): number | undefined {
		const [collection, id, sub, subId] = path;
		// contacts/search and contacts/identifiers/{key}/{value} are words, not IDs; deeper paths are the server's.
		const named = collection === 'contacts' && (id === 'search' || id === 'identifiers');
		const parts = [collection, id && (named ? id : ':id'), sub && (named ? ':key' : sub), subId && ':sub', ...path.slice(4)];
		const route = `${method} ${parts.filter(Boolean).join('/')}`;
		switch (route) {
			case 'GET contacts':
				return page(res, url, this.sandbox.contacts.map((contact) => this.contactJson(contact)), 100);
			case 'POST contacts':
				return this.createContact(body, res);
			case 'POST contacts/search':
				return this.searchContacts(body, res);
			case 'PATCH contacts/identifiers/:key/:sub':
				return this.upsertContact({ key: sub, value: subId }, body, res);
			case 'GET contacts/:id':
			case 'PATCH contacts/:id':
			case 'DELETE contacts/:id': {
				const contact = this.sandbox.contacts.find((candidate) => candidate.id === id);
				if (!contact) return notFound(res, 'Contact');
				if (method === 'GET') return send(res, 200, this.contactJson(contact));
				if (method === 'PATCH') return this.updateContact(contact, body, res);
				this.sandbox.contacts.splice(this.sandbox.contacts.indexOf(contact), 1);
				this.extras.delete(contact.id);
				return send(res, 204, undefined);
			}
			case 'GET lists':
				return page(res, url, this.lists.map((list) => this.listJson(list)), 100);
			case 'GET lists/:id': {
				const list = this.lists.find((candidate) => candidate.id === id);
				return list ? send(res, 200, this.listJson(list)) : notFound(res, 'List');
			}
			case 'POST lists/:id/contacts':
			case 'DELETE lists/:id/contacts':
				return this.membership(method, id, body, res);
			case 'GET channels/:id/messages':
				return this.listMessages(id, url, res);
			case 'GET channels/:id/messages/:sub': {
				if (!this.sandbox.channels.some((channel) => channel.id === id)) return notFound(res, 'Channel');
				const message = this.sandbox.messages.find((candidate) => candidate.id === subId && candidate.channelId === id);
				return message ? send(res, 200, message) : notFound(res, 'Message');
			}
			case 'GET conversations':
				return this.listConversations(url, res, () => true);
			case 'PATCH conversations/:id':
				return this.updateConversation(id, body, res);
			case 'GET conversations/:id/participants': {
				const conversation = this.sandbox.conversations.get(id);
				return conversation ? page(res, url, (conversation.featuredParticipants ?? []) as Json[], 100) : notFound(res, 'Conversation');
			}
			case 'POST conversations/:id/participants':
				return this.addParticipant(id, body, res);
			case 'GET participants/:id/conversations':
				return this.listConversations(url, res, (conversation) => ((conversation.featuredParticipants ?? []) as Json[]).some((participant) => participant.id === id));
			default:
				return undefined;
		}
	}

	private extra(contact: Contact): ContactExtra {
		let extra = this.extras.get(contact.id);
		if (!extra) {
			const at = now();
			extra = { attributes: {}, listIds: [], createdAt: at, updatedAt: at };
			this.extras.set(contact.id, extra);
		}
		return extra;
	}

	/** A contact as Bird's Contacts API shows it (and, as the sandbox always did, its identifiers in full). */
	contactJson(contact: Contact): Json {
		const extra = this.extra(contact);
		return {
			id: contact.id,
			computedDisplayName: contact.name,
			featuredIdentifiers: contact.identifiers.map(({ key, value }) => ({ key, value })),
			identifiers: contact.identifiers.map(({ key, value }) => ({ identifierKey: key, identifierValue: value })),
			identifierCount: contact.identifiers.length,
			attributes: { ...extra.attributes },
			listIds: [...extra.listIds],
			createdAt: extra.createdAt,
			updatedAt: extra.updatedAt,
		};
	}

	private listJson(list: ContactList): Json {
		const contactCount = this.sandbox.contacts.filter((contact) => this.extra(contact).listIds.includes(list.id)).length;
		return { ...list, contactCount };
	}

	/** The IDs of the contacts on a list. */
	members(listId: string): string[] {
		return this.sandbox.contacts.filter((contact) => this.extra(contact).listIds.includes(listId)).map((contact) => contact.id);
	}

	private owner(identifier: Identifier): Contact | undefined {
		return this.sandbox.findContact(identifier.key, identifier.value);
	}

	/** List IDs of a request: at most 10, each a list of the workspace. */
	private listIds(problems: Problems, raw: unknown, path: string): string[] | undefined {
		if (raw === undefined || raw === null) return undefined;
		if (!Array.isArray(raw) || raw.length > 10) {
			add(problems, path, 'must be a list of at most 10 list IDs');
			return undefined;
		}
		raw.forEach((id, index) => {
			if (!this.lists.some((list) => list.id === id)) add(problems, `${path}[${index}]`, 'is not a list of this workspace');
		});
		return raw as string[];
	}

	private createContact(body: Json, res: ServerResponse): number {
		const problems: Problems = {};
		const displayName = body.displayName;
		if (typeof displayName !== 'string' || !displayName.trim()) add(problems, 'displayName', 'is required');
		else if (displayName.length > 150) add(problems, 'displayName', 'must be at most 150 characters');
		const identifiers = identifierList(problems, body.identifiers, 'identifiers');
		const attributes = checkAttributes(problems, body.attributes, 'attributes');
		const listIds = this.listIds(problems, body.listIds, 'listIds');
		if (Object.keys(problems).length) return invalid(res, problems);
		const taken = identifiers.find((identifier) => this.owner(identifier));
		if (taken) return duplicate(res, taken);
		const contact: Contact = { id: randomUUID(), identifiers: identifiers.map(({ key, value }) => ({ key, value })), name: String(displayName).trim() };
		this.sandbox.contacts.push(contact);
		const extra = this.extra(contact);
		Object.assign(extra.attributes, attributes ?? {});
		extra.listIds.push(...(listIds ?? []));
		return send(res, 201, this.contactJson(contact));
	}

	private searchContacts(body: Json, res: ServerResponse): number {
		const problems: Problems = {};
		const identifier = checkIdentifier(problems, body.identifier, 'identifier');
		if (!identifier) return invalid(res, problems);
		const contact = this.owner(identifier);
		return send(res, 200, { results: contact ? [this.contactJson(contact)] : [] });
	}

	/**
	 * What an upsert or an update sends besides the contact: name, attributes, identifiers to add
	 * and remove, lists to join and leave. Undefined when invalid (the 422 is sent).
	 */
	private changes(body: Json, res: ServerResponse, problems: Problems = {}) {
		if (body.displayName !== undefined && (typeof body.displayName !== 'string' || !body.displayName.trim() || body.displayName.length > 150)) {
			add(problems, 'displayName', 'must be a non-empty string of at most 150 characters');
		}
		const changes = {
			displayName: typeof body.displayName === 'string' ? body.displayName.trim() : undefined,
			attributes: checkAttributes(problems, body.attributes, 'attributes'),
			addIdentifiers: identifierList(problems, body.addIdentifiers, 'addIdentifiers'),
			removeIdentifiers: identifierList(problems, body.removeIdentifiers, 'removeIdentifiers'),
			addToLists: this.listIds(problems, body.addToLists, 'addToLists') ?? [],
			removeFromLists: this.listIds(problems, body.removeFromLists, 'removeFromLists') ?? [],
		};
		if (Object.keys(problems).length) {
			invalid(res, problems);
			return undefined;
		}
		return changes;
	}

	private apply(contact: Contact, changes: NonNullable<ReturnType<SandboxResources['changes']>>, addIdentifiers: Identifier[]): void {
		const extra = this.extra(contact);
		if (changes.displayName) contact.name = changes.displayName;
		Object.assign(extra.attributes, changes.attributes ?? {});
		for (const identifier of addIdentifiers) {
			if (!contact.identifiers.some((known) => known.key === identifier.key && known.value === identifier.value)) contact.identifiers.push({ ...identifier });
		}
		contact.identifiers = contact.identifiers.filter((known) => !changes.removeIdentifiers.some((gone) => gone.key === known.key && gone.value === known.value));
		extra.listIds = [...new Set([...extra.listIds, ...changes.addToLists])].filter((id) => !changes.removeFromLists.includes(id));
		extra.updatedAt = now();
	}

	/**
	 * Bird's upsert: the contact the path's identifier (and the identifiers to add) point at is
	 * updated (200), or a new one is created (201). Strategies as Bird's docs describe them:
	 * strict_alias refuses identifiers of different contacts (409); first_alias takes the first
	 * contact found and adds the identifiers nobody has; first adds nothing to a contact it found,
	 * and creates a new one with the path's identifier only.
	 */
	private upsertContact(path: { key: string; value: string }, body: Json, res: ServerResponse): number {
		const problems: Problems = {};
		const identifier = checkIdentifier(problems, path, 'identifierValue');
		if (problems['identifierValue.value']) problems.identifierValue = problems['identifierValue.value'];
		delete problems['identifierValue.value'];
		const strategy = body.strategy ?? 'strict_alias';
		if (!STRATEGIES.includes(String(strategy))) add(problems, 'strategy', `must be one of ${STRATEGIES.join(', ')}`);
		const changes = this.changes(body, res, problems);
		if (!changes || !identifier) return 422;
		const all = [identifier, ...changes.addIdentifiers];
		const owners = [...new Set(all.map((candidate) => this.owner(candidate)).filter((owner): owner is Contact => !!owner))];
		if (strategy === 'strict_alias' && owners.length > 1) {
			return send(res, 409, { code: 'DuplicateIdentifier', message: 'The identifiers belong to more than one contact' });
		}
		let contact = all.map((candidate) => this.owner(candidate)).find(Boolean);
		const created = !contact;
		const free = all.filter((candidate) => !this.owner(candidate));
		if (!contact) {
			contact = { id: randomUUID(), identifiers: [], name: changes.displayName ?? identifier.value };
			this.sandbox.contacts.push(contact);
		}
		this.apply(contact, changes, strategy === 'first' ? (created ? [identifier] : []) : free);
		return send(res, created ? 201 : 200, this.contactJson(contact));
	}

	private updateContact(contact: Contact, body: Json, res: ServerResponse): number {
		const changes = this.changes(body, res);
		if (!changes) return 422;
		const taken = changes.addIdentifiers.find((identifier) => {
			const owner = this.owner(identifier);
			return owner && owner !== contact;
		});
		if (taken) return duplicate(res, taken);
		this.apply(contact, changes, changes.addIdentifiers);
		return send(res, 200, this.contactJson(contact));
	}

	/**
	 * A list's members: `{contacts: [id]}` and/or `{identifiers: [{key, value}]}`, at most 100 in
	 * all. Bird answers how many it processed: contacts it does not know are not.
	 */
	private membership(method: string, listId: string, body: Json, res: ServerResponse): number {
		const list = this.lists.find((candidate) => candidate.id === listId);
		if (!list) return notFound(res, 'List');
		const problems: Problems = {};
		const ids = body.contacts === undefined || body.contacts === null ? [] : body.contacts;
		if (!Array.isArray(ids)) add(problems, 'contacts', 'must be a list of contact IDs');
		else ids.forEach((id, index) => UUID.test(String(id)) || add(problems, `contacts[${index}]`, 'is not a UUID'));
		const identifiers = identifierList(problems, body.identifiers, 'identifiers');
		const count = (Array.isArray(ids) ? ids.length : 0) + identifiers.length;
		if (!Object.keys(problems).length && (count < 1 || count > 100)) add(problems, 'contacts', 'give 1 to 100 contacts and identifiers in all');
		if (Object.keys(problems).length) return invalid(res, problems);
		const contacts = [
			...(ids as string[]).map((id) => this.sandbox.contacts.find((contact) => contact.id === id)),
			...identifiers.map((identifier) => this.owner(identifier)),
		].filter((contact): contact is Contact => !!contact);
		for (const contact of contacts) {
			const extra = this.extra(contact);
			extra.listIds = method === 'POST' ? [...new Set([...extra.listIds, list.id])] : extra.listIds.filter((id) => id !== list.id);
		}
		list.updatedAt = now();
		return send(res, 200, { itemsProcessed: contacts.length });
	}

	/** Whether a message was with this contact: sent to it (by ID or identifier) or from it. */
	private involves(message: SentMessage, contact: Contact): boolean {
		if (((message.contactIds ?? []) as unknown[]).includes(contact.id)) return true;
		if ((((message.sender ?? {}) as Json).contact as Json | undefined)?.id === contact.id) return true;
		const receivers = [...((((message.receiver ?? {}) as Json).contacts ?? []) as Json[]), ...((message.recipients ?? []) as Json[])];
		return receivers.some(
			(receiver) =>
				receiver.id === contact.id ||
				contact.identifiers.some((identifier) => identifier.value === receiver.identifierValue && identifier.key === (receiver.identifierKey ?? 'phonenumber')),
		);
	}

	/**
	 * A channel's messages, newest first, with the filters Bird's channel message list takes:
	 * contactId, status, direction, startAt (inclusive) and endAt (exclusive), batchId.
	 */
	private listMessages(channelId: string, url: URL, res: ServerResponse): number {
		if (!this.sandbox.channels.some((channel) => channel.id === channelId)) return notFound(res, 'Channel');
		const query = (name: string) => url.searchParams.get(name) ?? undefined;
		const problems: Problems = {};
		const status = query('status');
		if (status && !MESSAGE_STATUSES.includes(status)) add(problems, 'status', `must be one of ${MESSAGE_STATUSES.join(', ')}`);
		const direction = query('direction');
		if (direction && !['incoming', 'outgoing'].includes(direction)) add(problems, 'direction', 'must be incoming or outgoing');
		const times = (['startAt', 'endAt'] as const).map((name) => {
			const value = query(name);
			if (value === undefined) return undefined;
			const time = Date.parse(value);
			if (Number.isNaN(time)) add(problems, name, 'must be an RFC 3339 date and time');
			return time;
		});
		const contactId = query('contactId');
		if (contactId && !UUID.test(contactId)) add(problems, 'contactId', 'is not a UUID');
		if (Object.keys(problems).length) return invalid(res, problems);
		const [startAt, endAt] = times;
		const batchId = query('batchId');
		const contact = contactId ? this.sandbox.contacts.find((candidate) => candidate.id === contactId) : undefined;
		const listed = this.sandbox.messages
			.filter((message) => {
				const at = Date.parse(message.createdAt);
				return (
					message.channelId === channelId &&
					(!batchId || message.batchId === batchId) &&
					(!status || message.status === status) &&
					(!direction || message.direction === direction) &&
					(startAt === undefined || at >= startAt) &&
					(endAt === undefined || at < endAt) &&
					(!contactId || (!!contact && this.involves(message, contact)))
				);
			})
			// Newest first, as lists usually come: whoever reads a batch back must not rely on its order.
			.reverse();
		return page(res, url, listed, 1000);
	}

	/** Conversations newest first, filtered by `status` and `channelId`, 100 a page at most. */
	private listConversations(url: URL, res: ServerResponse, include: (conversation: Json) => boolean): number {
		const status = url.searchParams.get('status');
		const channelId = url.searchParams.get('channelId');
		if (status && !['active', 'closed'].includes(status)) return invalid(res, { status: ['must be active or closed'] });
		const listed = [...this.sandbox.conversations.values()]
			.filter((conversation) => include(conversation) && (!status || conversation.status === status) && (!channelId || conversation.channelId === channelId))
			.reverse()
			.map(withoutMessages);
		return page(res, url, listed, 100);
	}

	private updateConversation(id: string, body: Json, res: ServerResponse): number {
		const conversation = this.sandbox.conversations.get(id);
		if (!conversation) return notFound(res, 'Conversation');
		const problems: Problems = {};
		const choices: Record<string, string[]> = { status: ['active', 'closed'], visibility: ['public', 'private'], accessibility: ['open', 'invite-only', 'request-to-join'] };
		for (const [field, allowed] of Object.entries(choices)) {
			if (body[field] !== undefined && !allowed.includes(String(body[field]))) add(problems, field, `must be one of ${allowed.join(', ')}`);
		}
		for (const field of ['name', 'description']) {
			if (body[field] !== undefined && body[field] !== null && typeof body[field] !== 'string') add(problems, field, 'must be a string');
		}
		const attributes = checkAttributes(problems, body.attributes, 'attributes', true);
		if (Object.keys(problems).length) return invalid(res, problems);
		for (const field of ['name', 'description', 'status', 'visibility', 'accessibility']) {
			if (body[field] !== undefined) conversation[field] = body[field];
		}
		if (attributes) conversation.attributes = { ...((conversation.attributes ?? {}) as Json), ...attributes };
		conversation.updatedAt = now();
		void this.sandbox.webhooks.emit('conversations', 'conversation.updated', withoutMessages(conversation), { channelId: String(conversation.channelId) });
		return send(res, 200, withoutMessages(conversation));
	}

	/**
	 * Adds a participant: `{type, id}`, or a contact by `{type: contact, contact: {identifierKey,
	 * identifierValue}}` (a contact Bird does not know yet is created). 201 when added, 200 when it
	 * was a participant already.
	 */
	private addParticipant(id: string, body: Json, res: ServerResponse): number {
		const conversation = this.sandbox.conversations.get(id);
		if (!conversation) return notFound(res, 'Conversation');
		const problems: Problems = {};
		const type = String(body.type);
		if (!PARTICIPANT_TYPES.includes(type)) add(problems, 'type', `must be one of ${PARTICIPANT_TYPES.join(', ')}`);
		let identifier: Identifier | undefined;
		if (type === 'contact' && body.id === undefined) {
			const contact = isObject(body.contact) ? body.contact : {};
			identifier = checkIdentifier(problems, { key: contact.identifierKey, value: contact.identifierValue }, 'contact');
		} else if (typeof body.id !== 'string' || !UUID.test(body.id)) add(problems, 'id', 'is required and must be a UUID');
		if (Object.keys(problems).length) return invalid(res, problems);
		let participant: Json;
		if (type === 'contact') {
			let contact = identifier ? this.owner(identifier) : this.sandbox.contacts.find((candidate) => candidate.id === body.id);
			if (!contact && !identifier) return notFound(res, 'Contact');
			if (!contact && identifier) {
				contact = { id: randomUUID(), identifiers: [{ ...identifier }], name: identifier.value };
				this.sandbox.contacts.push(contact);
			}
			const [first] = (contact as Contact).identifiers;
			const shown = identifier ?? first;
			participant = {
				id: (contact as Contact).id,
				type,
				status: 'active',
				displayName: (contact as Contact).name,
				...(shown ? { contact: { identifierKey: shown.key, identifierValue: shown.value, platformAddress: shown.value } } : {}),
			};
		} else {
			participant = { id: body.id, type, status: 'active', displayName: '' };
		}
		const participants = (conversation.featuredParticipants ?? []) as Json[];
		const existing = participants.find((candidate) => candidate.id === participant.id);
		if (existing) return send(res, 200, existing);
		participants.push(participant);
		conversation.featuredParticipants = participants;
		conversation.updatedAt = now();
		return send(res, 201, participant);
	}
}

function duplicate(res: ServerResponse, identifier: Identifier): number {
	return send(res, 409, { code: 'DuplicateIdentifier', message: `The identifier ${identifier.key} ${identifier.value} belongs to another contact` });
}

function withoutMessages(conversation: Json): Json {
	const copy = { ...conversation };
	delete copy.messages;
	return copy;
}

const registry = new WeakMap<BirdSandbox, SandboxResources>();

/** The contacts, lists, messages and conversations part of a sandbox. */
export function resourcesOf(sandbox: BirdSandbox): SandboxResources {
	let resources = registry.get(sandbox);
	if (!resources) {
		resources = new SandboxResources(sandbox);
		registry.set(sandbox, resources);
	}
	return resources;
}

/** The server's first stop for an API request under /workspaces/{id}/: the status when handled here, undefined otherwise. */
export function handleResource(sandbox: BirdSandbox, method: string, path: string[], url: URL, body: Json, res: ServerResponse): number | undefined {
	const decoded = path.map((part) => {
		try {
			return decodeURIComponent(part);
		} catch {
			return part;
		}
	});
	return resourcesOf(sandbox).route(method, decoded, url, body, res);
}
