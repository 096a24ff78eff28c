/**
 * One delivery from Bird, from the raw request to the item that starts the workflow. Nothing
 * runs before the delivery is proven to come from Bird (signature over the raw body and the URL
 * that was subscribed), to be within Max Delivery Age (24 hours by default: Bird's retries keep
 * their first timestamp), and to be an event not accepted before (replay.ts). A refused
 * delivery gets a 4xx and starts no execution; a repeated one gets a 200 (so that Bird stops
 * retrying) and starts none either, and costs no database write: nothing is stored per delivery.
 */
import type { IBinaryKeyData, IDataObject, INodeExecutionData, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { WORKSPACE_PATH } from '../shared/descriptions/node';
import { downloadMedia, mediaOf } from '../shared/download';
import { birdRequest, readJson } from '../shared/transport/request';
import { maxMediaBytes } from './options';

import type { ContactMessage } from '../shared/waiting/route';
import { routeAnswer } from '../shared/waiting/route';
import type { BirdEvent, TriggerItem } from './normalize';
import { normalizeEvent } from './normalize';
import { acceptOnce, eventKey, forgetEvent, MAX_PER_TRIGGER, maxAgeMinutes } from './replay';
import { verifyDelivery } from './signature';
import { storedSubscriptions } from './subscriptions';

/** How much older than the conversation's update its last message may be and still count as what the update is about. */
const NEW_MESSAGE_WINDOW_MS = 2 * 60 * 1000;

interface RawRequest {
	headers: Record<string, string | string[] | undefined>;
	rawBody?: Buffer;
}

function isBirdEvent(value: unknown): value is BirdEvent {
	const event = value as BirdEvent | undefined;
	return !!event && typeof event.event === 'string' && !!event.payload && typeof event.payload === 'object';
}

/**
 * A conversation event about a new message from a contact: its last message was sent by a
 * contact, and is not much older than the update (an assignment or a status change hours
 * later carries the same last message, and must not start the workflow again).
 */
export function isNewContactMessage(payload: IDataObject): boolean {
	const last = (payload.lastMessage ?? {}) as IDataObject;
	if ((last.sender as IDataObject | undefined)?.type !== 'contact') return false;
	const sentAt = Date.parse(String(last.createdAt));
	const updatedAt = Date.parse(String(payload.updatedAt));
	return Number.isNaN(sentAt) || Number.isNaN(updatedAt) || updatedAt - sentAt <= NEW_MESSAGE_WINDOW_MS;
}

export async function receiveDelivery(context: IWebhookFunctions): Promise<IWebhookResponseData> {
	const request = context.getRequestObject() as unknown as RawRequest;
	const response = context.getResponseObject();
	const node = context.getNode();
	const answer = (status: number, body: IDataObject): IWebhookResponseData => {
		response.status(status).json(body);
		return { noWebhookResponse: true };
	};
	const refuse = (status: 400 | 401, reason: string) => {
		context.logger.warn(`Bird Trigger "${node.name}" refused a delivery (${status}): ${reason}`);
		return answer(status, { error: `Refused: ${reason}` });
	};

	const now = Date.now();
	const staticData = context.getWorkflowStaticData('node');
	const subscriptions = storedSubscriptions(staticData);
	if (!subscriptions) return refuse(401, 'this trigger has no Bird subscription to check the signature against');
	const rawBody = request.rawBody ?? Buffer.alloc(0);
	const header = (name: string) => {
		const value = request.headers[name];
		return Array.isArray(value) ? value[0] : value;
	};
	const options = context.getNodeParameter('options', {}) as IDataObject;
	const maxAge = maxAgeMinutes(node, options);
	const verdict = verifyDelivery(
		{
			signature: header('messagebird-signature'),
			timestamp: header('messagebird-request-timestamp'),
			rawBody,
		},
		[subscriptions],
		now,
		maxAge * 60_000,
	);
	if (!verdict.ok) return refuse(verdict.status, verdict.reason);

	let delivery: unknown;
	try {
		// n8n already answers 422 to an application/json body that is not JSON; other types get here.
		delivery = JSON.parse(rawBody.toString('utf8'));
	} catch (error) {
		return refuse(400, `the body is not JSON (${(error as Error).message})`);
	}
	if (!isBirdEvent(delivery)) return refuse(400, 'the body is not a Bird event ({service, event, payload})');

	const byContactMessage = options.contactMessagesOnly !== false;
	if (delivery.event.startsWith('conversation.') && byContactMessage && !isNewContactMessage(delivery.payload)) {
		return answer(200, { received: true, started: false, reason: 'not a new message from a contact' });
	}
	// A status or an interaction the trigger did not ask for (options changed since Bird was subscribed): acknowledged, nothing started, nothing written.
	const wanted = (list: unknown) => (Array.isArray(list) && list.length ? (list as string[]) : undefined);
	const statuses = wanted(options.messageStatuses);
	if (delivery.event.endsWith('.outbound') && statuses && !statuses.includes(String(delivery.payload.status))) {
		return answer(200, { received: true, started: false, reason: 'a message status this trigger does not start on' });
	}
	const interactions = wanted(options.interactionTypes);
	if (delivery.event.endsWith('.interaction') && interactions && !interactions.includes(String(delivery.payload.type))) {
		return answer(200, { received: true, started: false, reason: 'an interaction this trigger does not start on' });
	}
	const scope = `${context.getWorkflow().id ?? ''}|${node.id}|${context.getMode()}`;
	const eventId = eventKey(delivery, byContactMessage, rawBody);
	const acceptance = acceptOnce(scope, eventId, now);
	if (!acceptance.accepted) return answer(200, { received: true, started: false, reason: 'this event was already accepted' });
	if (acceptance.forgotEarly && !warnedFull.has(scope)) {
		warnedFull.add(scope);
		context.logger.warn(
			`Bird Trigger "${node.name}" remembers at most ${MAX_PER_TRIGGER} events: older ones were forgotten before 25 hours, so a late repeat of them could start the workflow again. Add Remove Duplicates after the trigger (see the README).`,
		);
	}
	const item = normalizeEvent(delivery, new Date(now));
	const message = contactMessage(delivery, item);
	if (message) {
		// An answer to a question that waits (Send and Wait) resumes that execution and starts no other.
		const lookUp = (options.waitingAnswers ?? (node.typeVersion >= 2 ? 'resume' : 'start')) === 'resume';
		try {
			const routing = await routeAnswer(context, message, lookUp);
			if (routing.answer) return answer(200, { received: true, started: false, reason: routing.resumed ? 'answer to a waiting execution, which resumed' : 'answer to a question that no longer waits' });
		} catch (error) {
			forgetEvent(scope, eventId);
			context.logger.warn(`Bird Trigger "${node.name}" could not hand an answer to its waiting execution: ${(error as Error).message}`);
			return answer(503, { error: 'The answer could not be handed to its waiting execution yet; deliver it again later' });
		}
	}
	const started: INodeExecutionData = { json: { ...item, eventId } };
	if (options.downloadMedia === true) await attachMedia(context, delivery, started, options);
	// The 200 goes out once n8n has the execution: if that fails, Bird gets an error and retries.
	return { workflowData: [[started]], webhookResponse: { received: true, started: true } };
}

/**
 * Options › Download Media: the message's media as binary properties (`data`, `data_1`, …). The
 * item always arrives; a file that could not be fetched (too large, gone, refused) is named in
 * `mediaErrors` instead.
 */
async function attachMedia(context: IWebhookFunctions, delivery: BirdEvent, item: INodeExecutionData, options: IDataObject): Promise<void> {
	const maxBytes = maxMediaBytes(context.getNode(), options);
	let body = (delivery.payload.body ?? undefined) as IDataObject | undefined;
	const last = (delivery.payload.lastMessage ?? {}) as IDataObject;
	if (delivery.event.startsWith('conversation.') && typeof last.id === 'string' && !['text', 'html', 'location'].includes(String(last.type))) {
		// A conversation event names its last message only: its media are read from the conversation.
		try {
			const url = `${WORKSPACE_PATH}/conversations/${encodeURIComponent(String(delivery.payload.id))}/messages/${encodeURIComponent(last.id)}`;
			body = (readJson(context, await birdRequest(context, { method: 'GET', url })).body ?? undefined) as IDataObject | undefined;
		} catch (error) {
			item.json.mediaErrors = [{ messageId: last.id, error: (error as Error).message }];
			return;
		}
	}
	const media = mediaOf(body);
	const errors: IDataObject[] = [];
	const binary: IBinaryKeyData = {};
	for (const [index, ref] of media.entries()) {
		try {
			binary[index === 0 ? 'data' : `data_${index}`] = await downloadMedia(context, ref, { maxBytes, index });
		} catch (error) {
			errors.push({ mediaUrl: ref.url, kind: ref.kind, error: (error as Error).message });
		}
	}
	if (Object.keys(binary).length) item.binary = binary;
	if (errors.length) item.json.mediaErrors = errors;
}

/** A contact's message in an event (inbound, or a conversation's new message from a contact), as answer routing reads it. */
function contactMessage(delivery: BirdEvent, item: TriggerItem): ContactMessage | undefined {
	const payload = delivery.payload;
	if (delivery.event.endsWith('.inbound')) {
		return { channelId: item.channelId, contact: item.contact, messageId: item.messageId, text: item.text, button: item.button, replyToId: item.replyTo?.messageId, createdAt: String(payload.createdAt ?? item.receivedAt) };
	}
	const last = (payload.lastMessage ?? {}) as IDataObject;
	if (delivery.event.startsWith('conversation.') && (last.sender as IDataObject | undefined)?.type === 'contact') {
		return { channelId: String(payload.channelId ?? '') || null, contact: item.contact, messageId: item.messageId, text: item.text, button: null, createdAt: String(last.createdAt ?? item.receivedAt) };
	}
	return undefined;
}

/** Triggers already warned that their memory of events was full. */
const warnedFull = new Set<string>();
