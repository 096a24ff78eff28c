/**
 * The trigger's side of Send and Wait: whether a contact's message answers a question that waits,
 * and handing it to the waiting execution (docs/design.md, "How an answer finds its execution").
 *
 * - A tap on a question's button carries that choice's resume URL in its payload: posted there,
 *   no request to Bird.
 * - A typed message answers the newest question sent to the contact on the channel when no
 *   message of the contact's came between them. The question is found in Bird's list of the
 *   contact's messages (one read), by the `reference` that marks it and holds its resume URL.
 *
 * Every trigger of the channel reaches the same verdict from the same facts, so an answer never
 * starts a workflow, whichever trigger resumed it.
 */
import type { IDataObject, IHttpRequestOptions, IN8nHttpFullResponse, IWebhookFunctions, JsonObject } from 'n8n-workflow';
import { NodeApiError, sleep } from 'n8n-workflow';

import { WORKSPACE_PATH } from '../descriptions/node';
import { birdRequest, DEFAULT_DELIVERY, readJson } from '../transport/request';
import { REFERENCE_KIND, WAITING_REFERENCE } from './question';
import type { ChatAnswer } from './webhook';

/** A contact's message as the trigger sees it. */
export interface ContactMessage {
	channelId: string | null;
	contact: { id: string | null; identifierValue: string | null } | null;
	messageId: string | null;
	text: string | null;
	button: { text: string | null; payload: string | null } | null;
	/** The message it replies to (a tap replies to the question). */
	replyToId?: string | null;
	/** When it was written (ISO); the trigger's own time when Bird does not say. */
	createdAt: string;
}

export type Routing = { answer: false } | { answer: true; resumed: boolean };

const LOOKUP = { ...DEFAULT_DELIVERY, maxRetries: 1, retryDelay: 200, timeout: 5000 };

/** Words that approve or decline when typed, besides the buttons' own labels. */
const YES = new Set(['yes', 'y', 'yeah', 'yep', 'ok', 'okay', 'sure', 'approve', 'approved', 'confirm', 'confirmed', 'accept', 'accepted', 'ja', 'si', 'sí', 'oui', 'sim', '👍', '✅', '✓', '✔']);
const NO = new Set(['no', 'n', 'nope', 'decline', 'declined', 'reject', 'rejected', 'cancel', 'deny', 'nee', 'nein', 'non', 'não', 'nao', '👎', '❌', '✗', '✖']);

/** A label or a typed answer, compared without case, punctuation, marks or extra spaces. */
const plain = (text: string) =>
	text
		.normalize('NFKC')
		.toLowerCase()
		.replace(/[.!?,;:'"()]/g, '')
		.replace(/\s+/g, ' ')
		.trim();

/** A resume URL of this n8n: its origin, and n8n's signature in the query. Anything else is not followed. */
export function resumeUrlOf(context: IWebhookFunctions, value: unknown): string | undefined {
	if (typeof value !== 'string' || !/^https?:\/\//.test(value)) return undefined;
	try {
		const url = new URL(value);
		const own = new URL(context.getNodeWebhookUrl('default') ?? '');
		return url.origin === own.origin && url.searchParams.has('signature') && url.searchParams.has('approved') ? url.toString() : undefined;
	} catch {
		return undefined;
	}
}

/**
 * Posts an answer to a waiting execution. True when it resumed; false when nothing waits there
 * any more (answered, timed out, moved on). n8n answers 409 while the execution is still being
 * saved as waiting (an answer can be that quick): tried again for a few seconds. Throws when
 * n8n cannot be reached, so that Bird delivers the answer again later.
 */
async function post(context: IWebhookFunctions, url: string, answer: ChatAnswer): Promise<boolean> {
	const request: IHttpRequestOptions = {
		method: 'POST',
		url,
		body: { birdAnswer: answer },
		json: true,
		headers: { 'user-agent': 'n8n-nodes-bird (Bird Channels Trigger)' },
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		timeout: 30_000,
	};
	for (let attempt = 0; ; attempt++) {
		const response = (await context.helpers.httpRequest(request)) as IN8nHttpFullResponse;
		const body = response.body as IDataObject | string | undefined;
		if (response.statusCode === 200 && typeof body === 'object' && body?.resumed === true) return true;
		const stillSaving = response.statusCode === 409 && /running already/i.test(JSON.stringify(body ?? ''));
		if (stillSaving && attempt < 8) {
			await sleep(250 * 2 ** Math.min(attempt, 4));
			continue;
		}
		if (response.statusCode >= 500) throw new Error(`n8n answered ${response.statusCode} to the answer for a waiting execution`);
		return false;
	}
}

/** The approval a typed text gives: true, false, or undefined when it reads as neither. */
function typedApproval(text: string, labels: { approve: string; disapprove?: string }): boolean | undefined {
	const said = plain(text);
	if (!said) return undefined;
	if (said === plain(labels.approve) || YES.has(said)) return true;
	if (labels.disapprove !== undefined && (said === plain(labels.disapprove) || NO.has(said))) return false;
	return undefined;
}

/** The question's buttons: their labels and resume URLs (approve first, as the node sends them). */
function buttonsOf(question: IDataObject): Array<{ label: string; url: string }> {
	const body = (question.body ?? {}) as IDataObject;
	const content = (body[String(body.type)] ?? {}) as IDataObject;
	const actions = Array.isArray(content.actions) ? (content.actions as IDataObject[]) : [];
	return actions
		.map((action) => (action.postback ?? {}) as IDataObject)
		.filter((postback) => typeof postback.payload === 'string' && typeof postback.text === 'string')
		.map((postback) => ({ label: String(postback.text), url: String(postback.payload) }));
}

/** The URLs in a link question's text ("✓ Approve: https://…"), by choice. */
function linksOf(question: IDataObject): Array<{ label: string; url: string }> {
	const body = (question.body ?? {}) as IDataObject;
	const text = String(((body[String(body.type)] ?? {}) as IDataObject).text ?? '');
	return [...text.matchAll(/^(.+?): (https?:\/\/\S+)$/gm)].map((match) => ({ label: match[1], url: match[2] }));
}

/** A listed message's words. */
const textOf = (message: IDataObject): string | null => {
	const body = (message.body ?? {}) as IDataObject;
	const text = ((body[String(body.type)] ?? {}) as IDataObject).text;
	return typeof text === 'string' ? text : null;
};

const who = (message: IDataObject) => {
	const sender = ((message.sender ?? {}) as IDataObject).contact as IDataObject | undefined;
	const receivers = (((message.receiver ?? {}) as IDataObject).contacts ?? message.recipients ?? []) as IDataObject[];
	return { sender, receivers };
};

/** Whether a listed message is between the business and this contact. */
function involves(message: IDataObject, contact: ContactMessage['contact']): boolean {
	if (!contact) return false;
	const { sender, receivers } = who(message);
	const ids = [sender?.id, sender?.identifierValue, ...receivers.flatMap((receiver) => [receiver.id, receiver.identifierValue]), ...((message.contactIds ?? []) as unknown[])];
	return ids.some((id) => id !== undefined && id !== null && (id === contact.id || id === contact.identifierValue));
}

/** The question a typed message answers, from the contact's latest messages on the channel (newest first). */
async function findQuestion(context: IWebhookFunctions, message: ContactMessage): Promise<IDataObject | undefined> {
	if (!message.channelId || !message.contact?.id) return undefined;
	let listing: IDataObject;
	try {
		listing = readJson(
			context,
			await birdRequest(
				context,
				{ method: 'GET', url: `${WORKSPACE_PATH}/channels/${encodeURIComponent(message.channelId)}/messages`, qs: { contactId: message.contact.id, limit: 20 } },
				// Bird waits for the trigger's answer: one quick retry at most.
				{ settings: LOOKUP },
			),
		);
	} catch (caught) {
		// NodeApiError hands back an error that already is one (the transport's) unchanged.
		const error = new NodeApiError(context.getNode(), caught as JsonObject);
		// Bird refused the read for good (the key may not list messages, the contact ID is not one
		// of Bird's): asking again a minute later changes nothing, and answering Bird 503 until it
		// gives up would lose the customer's message. It starts the workflow as an ordinary message.
		// Bird down, slow or busy (5xx, 429, no answer) throws on, so that Bird delivers it again.
		const status = Number(error.httpCode);
		if (status >= 400 && status < 500 && status !== 429) {
			context.logger.warn(
				`Bird Channels Trigger "${context.getNode().name}" could not check whether a message answers a Send and Wait question (Bird answered ${status}: ${error.message}); it starts the workflow as an ordinary message.`,
			);
			return undefined;
		}
		throw error;
	}
	const written = Date.parse(message.createdAt);
	// The answer itself may be listed under another ID (a conversation's copy of a channel message): same words, same moment.
	const isThisMessage = (listed: IDataObject) =>
		listed.id === message.messageId ||
		(listed.direction === 'incoming' && textOf(listed) === message.text && Math.abs(Date.parse(String(listed.createdAt)) - written) < 5000);
	const earlier = ((listing.results ?? []) as IDataObject[])
		.filter((listed) => involves(listed, message.contact) && !isThisMessage(listed))
		.filter((listed) => !(Date.parse(String(listed.createdAt)) > written))
		.sort((a, b) => Date.parse(String(b.createdAt)) - Date.parse(String(a.createdAt)));
	for (const listed of earlier) {
		// The contact wrote after the last question: this message answers nothing.
		if (listed.direction === 'incoming') return undefined;
		if (typeof listed.reference === 'string' && listed.reference.startsWith(WAITING_REFERENCE)) return listed;
	}
	return undefined;
}

/**
 * Hands a contact's message to the execution waiting for it, when it is an answer. `lookUp`
 * allows the read that typed answers need; taps never need it.
 */
export async function routeAnswer(context: IWebhookFunctions, message: ContactMessage, lookUp: boolean): Promise<Routing> {
	const base: ChatAnswer = {
		text: message.text,
		messageId: message.messageId,
		contact: message.contact ? { ...message.contact } : null,
		channelId: message.channelId,
	};
	const tapped = resumeUrlOf(context, message.button?.payload);
	if (tapped) {
		const approved = new URL(tapped).searchParams.get('approved') !== 'false';
		return { answer: true, resumed: await post(context, tapped, { ...base, approved, button: message.button, questionId: message.replyToId ?? null }) };
	}
	if (!lookUp || !message.text) return { answer: false };
	const question = await findQuestion(context, message);
	const marked = question ? String(question.reference).slice(WAITING_REFERENCE.length) : '';
	const kind = marked.slice(0, 2);
	const reference = resumeUrlOf(context, marked.slice(2));
	if (!question || !reference) return { answer: false };
	const answer: ChatAnswer = { ...base, questionId: String(question.id ?? '') || null };
	if (kind === REFERENCE_KIND.freeText) return { answer: true, resumed: await post(context, reference, answer) };
	const choices = [...buttonsOf(question), ...linksOf(question)].filter((choice) => resumeUrlOf(context, choice.url));
	if (!choices.length) choices.push({ label: '', url: reference });
	// An approval: the typed words must read as one of its choices, else the message is an ordinary one.
	const approve = choices.find((choice) => new URL(choice.url).searchParams.get('approved') !== 'false');
	const disapprove = choices.find((choice) => new URL(choice.url).searchParams.get('approved') === 'false');
	const approved = typedApproval(message.text, { approve: approve?.label ?? '', disapprove: disapprove?.label });
	if (approved === undefined) return { answer: false };
	const target = approved ? (approve?.url ?? reference) : (disapprove?.url as string);
	return { answer: true, resumed: await post(context, target, { ...answer, approved }) };
}
