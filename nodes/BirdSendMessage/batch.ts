/**
 * Send Message's batch mode: items of the same channel go to Bird's batch endpoint, up to 100
 * per request (one request against the workspace's 500 POST/s, instead of one per message).
 *
 * Every item still ends in its own output (or error) item. A 429 or 5xx on a batch retries the
 * whole batch (Bird processed none of it); a batch whose connection broke after it was sent fails
 * all its items with the "may have arrived, not sent again" error and is never sent again; an
 * item whose input is bad fails alone, before anything is sent, and never fails its batch.
 *
 * Bird validates a batch's messages after answering 202. With "Wait for Bird's Validation", the
 * node reads the batch's messages back (paced as reads) until each one has been validated, and
 * turns a message Bird rejected into its item's error. A listed message is matched to its item by
 * its reference, never by its place in the listing: the node gives every message without one a
 * reference of its own (said in the item's output), and puts two items with the same reference
 * in different batches. Reading back costs at most READ_BACK.maxRequests requests per batch.
 *
 * Items join their batch in input order, whatever each item's window check or upload costs: two
 * messages to one person go out in the order they were given.
 */
import { randomBytes } from 'node:crypto';
import type { IDataObject, IExecuteFunctions, JsonObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { WORKSPACE_PATH } from '../shared/descriptions/node';
import type { ItemResult, ItemRunner } from '../shared/executor';
import type { ExecutionLookups } from '../shared/lookups';
import { hasMedia } from '../shared/media';
import type { SmartSendOutcome } from '../shared/message';
import { pause } from '../shared/transport/pacing';
import type { DeliverySettings } from '../shared/transport/request';
import { birdRequest, readJson, responseJson } from '../shared/transport/request';
import type { ChannelMessage } from './channelMessage';
import { finishChannelMessage, prepareChannelMessage } from './channelMessage';

/**
 * What Bird's batch endpoint looks like. Its docs give the path, the `messageRequests` body,
 * the 100-message limit and that the 202 answer carries a batch ID which lists the batch's
 * messages; the field names of that ID and of the list filter are not documented, and are
 * assumed here, in this one place.
 */
export const BIRD_BATCH = {
	maxMessages: 100,
	path: (channelId: string) => `${WORKSPACE_PATH}/channels/${encodeURIComponent(channelId)}/batch/messages`,
	/** The batch ID in the 202 answer: assumed `batchId`, with `id` accepted too. */
	idOf: (answer: IDataObject) => String(answer.batchId ?? answer.id ?? ''),
	/** The channel's message list, filtered on the batch (assumed query parameter `batchId`). */
	listPath: (channelId: string) => `${WORKSPACE_PATH}/channels/${encodeURIComponent(channelId)}/messages`,
	listQuery: (batchId: string, pageToken?: string): IDataObject => ({ batchId, limit: 100, ...(pageToken ? { pageToken } : {}) }),
	/** A listed message still waiting for validation. */
	pending: (message: IDataObject) => message.status === 'accepted' && !message.failure,
	/** How long the node waits for Bird to validate a batch before it reports what it knows, by default (Validation Wait). */
	validationWaitMs: 60_000,
};

/**
 * The bounds of reading a batch back: the listing is read a page at a time (a batch's messages
 * fit on one page when Bird filters on the batch), at most `pagesPerPoll` pages a poll, with
 * growing pauses, and never more than `maxRequests` requests or past the wait in all.
 */
export const READ_BACK = { pagesPerPoll: 2, maxRequests: 20, firstPauseMs: 250, longestPauseMs: 3000 };

interface Entry {
	message: ChannelMessage;
	itemIndex: number;
	/** What smart send adds to the item's output. */
	outcome?: SmartSendOutcome;
	/** The node set the message's reference (the item had none). */
	referenceSet?: boolean;
	resolve: (result: ItemResult) => void;
	reject: (error: unknown) => void;
}

/** An item handed to the runner, in input order: still being finished, ready to join a batch, or out (failed while finishing). */
interface Slot {
	state: 'finishing' | 'ready' | 'out';
	entry?: Entry;
}

/** Bird's failure of a rejected message, as the item's error. */
function rejection(context: IExecuteFunctions, message: IDataObject, itemIndex: number): NodeApiError {
	const failure = (message.failure ?? {}) as IDataObject;
	const what = String(failure.description ?? message.reason ?? 'no reason given');
	return new NodeApiError(context.getNode(), { code: (failure.code as string | undefined) ?? null, message: what, details: failure } as JsonObject, {
		message: `Bird rejected the message: ${what}`,
		description: `Bird validated the batch after accepting it and rejected this message (status "${String(message.status)}"${failure.code === undefined ? '' : `, failure code ${String(failure.code)}`}).`,
		itemIndex,
	});
}

export function batchRunner(
	context: IExecuteFunctions,
	settings: DeliverySettings,
	/** How long to read each batch back until Bird has validated its messages; 0: not at all. */
	validationWaitMs: number,
	lookups: ExecutionLookups,
): ItemRunner<ChannelMessage> {
	const open = new Map<string, Entry[]>();
	/** Items still being finished (window check, uploads) before they join a batch. */
	const finishing = new Set<Promise<void>>();
	/** Every item handed over, in input order; the ones at the front join their batch once they are not finishing. */
	const queue: Slot[] = [];
	/** References of this execution's generated ones: unique in the workspace, short, and telling where they came from. */
	const referencePrefix = `n8n-${randomBytes(5).toString('hex')}`;
	let halted: () => boolean = () => false;

	/**
	 * Lists the batch's messages until each one is validated, the wait is over or the read budget
	 * is spent; the last copy seen of each item's message, by the item's position in the batch.
	 */
	async function validate(channelId: string, batchId: string, entries: Entry[]): Promise<Array<IDataObject | undefined>> {
		const deadline = Date.now() + validationWaitMs;
		const byReference = new Map(entries.map((entry, position) => [String(entry.message.body.reference), position]));
		const found: Array<IDataObject | undefined> = entries.map(() => undefined);
		const settled = () => found.every((message) => message && !BIRD_BATCH.pending(message));
		let requests = 0;
		let wait = READ_BACK.firstPauseMs;
		const withinBudget = () => requests < READ_BACK.maxRequests && Date.now() < deadline;
		while (withinBudget()) {
			await pause(Math.min(wait, Math.max(0, deadline - Date.now())), context.getExecutionCancelSignal());
			let pageToken: string | undefined;
			for (let pages = 0; pages < READ_BACK.pagesPerPoll && withinBudget(); pages++) {
				requests++;
				const page = readJson(
					context,
					await birdRequest(context, { method: 'GET', url: BIRD_BATCH.listPath(channelId), qs: BIRD_BATCH.listQuery(batchId, pageToken) }, {
						itemIndex: entries[0].itemIndex,
						settings,
					}),
				);
				// A listed message is its item's by reference alone: listings come in any order, and a batch may send one text to one number twice.
				for (const message of (page.results ?? []) as IDataObject[]) {
					const position = byReference.get(String(message.reference));
					if (position !== undefined) found[position] = message;
				}
				pageToken = (page.nextPageToken as string | undefined) || undefined;
				if (!pageToken || settled()) break;
			}
			if (settled()) break;
			wait = Math.min(wait * 2, READ_BACK.longestPauseMs);
		}
		return found;
	}

	async function sendBatch(channelId: string, entries: Entry[]): Promise<void> {
		try {
			const response = await birdRequest(
				context,
				{ method: 'POST', url: BIRD_BATCH.path(channelId), body: { messageRequests: entries.map((entry) => entry.message.body) } },
				{ itemIndex: entries[0].itemIndex, settings, halted },
			);
			const answer = responseJson(response);
			const batchId = BIRD_BATCH.idOf(answer);
			// From here on the batch was accepted: every item succeeds (or is rejected by Bird), never fails for us.
			let listed: Array<IDataObject | undefined> = [];
			let unread = '';
			if (!batchId) unread = typeof answer.warning === 'string' ? answer.warning : 'Bird accepted the batch but its answer had no batch ID, so its messages cannot be read back.';
			else if (validationWaitMs > 0) {
				try {
					listed = await validate(channelId, batchId, entries);
				} catch (error) {
					unread = `Bird accepted the batch, but reading its messages back failed (${(error as Error).message}); they may still be sent or rejected.`;
				}
			}
			entries.forEach((entry, batchPosition) => {
				const message = listed[batchPosition];
				if (message && !BIRD_BATCH.pending(message) && (message.status === 'rejected' || message.failure)) {
					entry.reject(rejection(context, message, entry.itemIndex));
					return;
				}
				const json: IDataObject = { batchId, batchPosition, channelId, status: String(message?.status ?? answer.status ?? 'accepted'), validated: !!message && !BIRD_BATCH.pending(message) };
				if (message?.id) json.id = message.id;
				json.reference = entry.message.body.reference;
				// Said in the output: the item had no reference, and the node gave it one to tell its message from the others of the batch.
				if (entry.referenceSet) json.referenceSetByNode = true;
				if (unread) {
					json.warning = `${unread} Look up ${batchId ? `batch ${batchId}` : 'the message'} in Bird before sending it again.`;
					if (answer.responseText !== undefined) json.responseText = answer.responseText;
				} else if (validationWaitMs > 0 && !json.validated) {
					json.warning = `Bird had not validated this message ${Math.round(validationWaitMs / 1000)} s after accepting the batch. It may still be sent or rejected: look up batch ${batchId} in Bird before sending it again.`;
				}
				entry.resolve({ json: entry.outcome ? { ...json, ...entry.outcome } : json });
			});
		} catch (error) {
			for (const entry of entries) entry.reject(error);
		}
	}

	function dispatch(channelId: string) {
		const entries = open.get(channelId);
		open.delete(channelId);
		if (entries?.length) void sendBatch(channelId, entries);
	}

	/** Puts an item in its channel's open batch; a batch never holds one reference twice. */
	function enqueue(entry: Entry) {
		const { body, channelId } = entry.message;
		if (body.reference === undefined || body.reference === '') {
			body.reference = `${referencePrefix}-${entry.itemIndex}`;
			entry.referenceSet = true;
		}
		if (open.get(channelId)?.some((other) => other.message.body.reference === body.reference)) dispatch(channelId);
		const entries = open.get(channelId) ?? [];
		entries.push(entry);
		open.set(channelId, entries);
		if (entries.length >= BIRD_BATCH.maxMessages) dispatch(channelId);
	}

	/** Lets the items at the front of the queue join their batches, in input order, as soon as none before them is still finishing. */
	function advance() {
		while (queue.length && queue[0].state !== 'finishing') {
			const slot = queue.shift() as Slot;
			if (slot.state === 'ready') enqueue(slot.entry as Entry);
		}
	}

	return {
		prepare: prepareChannelMessage,
		async send(message, itemIndex, isHalted) {
			halted = isHalted;
			return await new Promise<ItemResult>((resolve, reject) => {
				if (!message.smart && !hasMedia(message.body)) {
					queue.push({ state: 'ready', entry: { message, itemIndex, resolve, reject } });
					advance();
					return;
				}
				// A window check or an upload first; the item keeps its place in the queue meanwhile.
				const slot: Slot = { state: 'finishing' };
				queue.push(slot);
				const finished = finishChannelMessage(context, lookups, message, itemIndex, settings, isHalted).then(
					(outcome) => {
						slot.state = 'ready';
						slot.entry = { message, itemIndex, outcome, resolve, reject };
					},
					(error: unknown) => {
						slot.state = 'out';
						reject(error);
					},
				);
				finishing.add(finished);
				void finished.finally(() => {
					finishing.delete(finished);
					advance();
				});
			});
		},
		async flush() {
			while (finishing.size) await Promise.all([...finishing]);
			advance();
			for (const channelId of [...open.keys()]) dispatch(channelId);
		},
	};
}
