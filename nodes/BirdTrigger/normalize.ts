import type { IDataObject } from 'n8n-workflow';

/** A webhook delivery from Bird: `{service, event, payload}`. */
export interface BirdEvent {
	service?: string;
	event: string;
	payload: IDataObject;
}

export interface EventContact {
	id: string | null;
	identifierKey: string | null;
	identifierValue: string | null;
	name: string | null;
}

/** The fields a workflow uses without digging, plus Bird's payload untouched. */
export interface TriggerItem extends IDataObject {
	event: string;
	channelId: string | null;
	platform: string | null;
	messageId: string | null;
	conversationId: string | null;
	contact: EventContact | null;
	type: string | null;
	text: string | null;
	status: string | null;
	/** The reply button the contact tapped: its words and the payload it carries. */
	button: { text: string | null; payload: string | null } | null;
	/** The message this one answers (a tapped button answers the message that had it). */
	replyTo: { messageId: string | null; type: string | null } | null;
	receivedAt: string;
	payload: IDataObject;
}

const object = (value: unknown): IDataObject =>
	value && typeof value === 'object' && !Array.isArray(value) ? (value as IDataObject) : {};
const text = (...values: unknown[]): string | null => {
	const found = values.find((value) => typeof value === 'string' && value !== '');
	return (found as string | undefined) ?? null;
};

function contactFrom(value: unknown): EventContact | null {
	const contact = object(value);
	if (!Object.keys(contact).length) return null;
	return {
		id: text(contact.id),
		identifierKey: text(contact.identifierKey),
		identifierValue: text(contact.identifierValue, contact.platformAddress),
		name: text(object(contact.annotations).name, contact.displayName, contact.name),
	};
}

/** The first contact a sent message (or an interaction with one) went to. */
function firstReceiver(payload: IDataObject): unknown {
	const contacts = object(payload.receiver).contacts;
	return Array.isArray(contacts) ? contacts[0] : undefined;
}

/**
 * The words of a message body: the text of a text message, the caption of media, the subject
 * or plain part of an email, the label of a chosen button, the address of a location.
 */
export function bodyText(body: IDataObject): string | null {
	const type = String(body.type ?? '');
	const content = object(body[type]);
	if (type === 'action') {
		const action = object(content.action ?? content);
		const chosen = object(action[String(action.type ?? '')]);
		return text(chosen.text, chosen.payload);
	}
	if (type === 'location') return text(object(content.location).address, object(content.location).label);
	return text(content.text, object(content.metadata).subject);
}

/**
 * The reply button a message answers with, in each shape Bird uses: a text whose `actions` hold
 * the tapped postback or reply button (how WhatsApp taps arrive, with `replyTo.type` "click"),
 * or an `action` body.
 */
export function buttonOf(body: IDataObject): TriggerItem['button'] {
	const type = String(body.type ?? '');
	const content = object(body[type]);
	const actions = Array.isArray(content.actions) ? (content.actions as unknown[]).map(object) : type === 'action' ? [object(content.action ?? content)] : [];
	for (const action of actions) {
		const chosen = object(action[String(action.type ?? '')]);
		const payload = text(chosen.payload);
		const words = text(chosen.text, action.text, content.text);
		if (payload !== null || words !== null) return { text: words, payload };
	}
	return null;
}

/** One output item for one Bird event. */
export function normalizeEvent(delivery: BirdEvent, receivedAt: Date): TriggerItem {
	const { event } = delivery;
	const payload = object(delivery.payload);
	const item: TriggerItem = {
		event,
		channelId: text(payload.channelId),
		platform: event.startsWith('conversation.') ? null : event.split('.')[0],
		messageId: null,
		conversationId: text(payload.conversationId),
		contact: null,
		type: null,
		text: null,
		status: text(payload.status),
		button: null,
		replyTo: null,
		receivedAt: receivedAt.toISOString(),
		payload,
	};
	if (event.startsWith('conversation.')) {
		const last = object(payload.lastMessage);
		const participants = Array.isArray(payload.featuredParticipants) ? (payload.featuredParticipants as IDataObject[]) : [];
		const contact = participants.find((participant) => participant.type === 'contact') ?? object(payload.initiatingParticipant);
		const person = contactFrom({ ...object(contact.contact), id: contact.id, displayName: contact.displayName });
		return {
			...item,
			conversationId: text(payload.id),
			messageId: text(last.id),
			contact: contact.type === 'contact' ? person : null,
			type: text(last.type),
			text: text(object(last.preview).text),
		};
	}
	if (event.endsWith('.interaction')) {
		const metadata = object(payload.metadata);
		const button = object(metadata.button);
		return {
			...item,
			messageId: text(payload.messageId),
			contact: contactFrom(payload.contact) ?? contactFrom(firstReceiver(payload)),
			type: text(payload.type),
			text: text(button.payload, object(metadata.reaction).emoji, object(metadata.link).url, payload.details),
			button: Object.keys(button).length ? { text: text(button.text), payload: text(button.payload) } : null,
		};
	}
	const body = object(payload.body);
	const replyTo = object(payload.replyTo);
	return {
		...item,
		messageId: text(payload.id),
		contact: contactFrom(event.endsWith('.inbound') ? object(payload.sender).contact : firstReceiver(payload)),
		type: text(body.type) ?? (payload.template ? 'template' : null),
		text: bodyText(body),
		button: buttonOf(body),
		replyTo: text(replyTo.id) ? { messageId: text(replyTo.id), type: text(replyTo.type) } : null,
	};
}
