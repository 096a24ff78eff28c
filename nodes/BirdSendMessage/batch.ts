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
 * turns a message Bird rejected into its item's error.
 */
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
	/** How long the node waits for Bird to validate a batch before it reports what it knows. */
	validationWaitMs: 60_000,
};

interface Entry {
	message: ChannelMessage;
	itemIndex: number;
	/** What smart send adds to the item's output. */
	outcome?: SmartSendOutcome;
	resolve: (result: ItemResult) => void;
	reject: (error: unknown) => void;
}

/** How a listed message is matched to the item that asked for it: its reference and its recipients. */
function matchKey(message: IDataObject): string {
	const contacts = ((message.receiver as IDataObject | undefined)?.contacts ?? []) as IDataObject[];
	const recipients = contacts.map((contact) => String(contact.identifierValue ?? contact.id ?? '')).sort();
	return JSON.stringify([message.reference ?? '', recipients]);
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
	waitForValidation: boolean,
	lookups: ExecutionLookups,
): ItemRunner<ChannelMessage> {
	const open = new Map<string, Entry[]>();
	/** Items still being finished (window check, uploads) before they join a batch. */
	const finishing = new Set<Promise<void>>();
	let halted: () => boolean = () => false;

	/** Lists the batch's messages until each one is validated or the wait is over; the last listing, by position. */
	async function validate(channelId: string, batchId: string, entries: Entry[]): Promise<Array<IDataObject | undefined>> {
		const deadline = Date.now() + BIRD_BATCH.validationWaitMs;
		let wait = 250;
		for (;;) {
			await pause(wait, context.getExecutionCancelSignal());
			const listed: IDataObject[] = [];
			let pageToken: string | undefined;
			do {
				const page = readJson(
					context,
					await birdRequest(context, { method: 'GET', url: BIRD_BATCH.listPath(channelId), qs: BIRD_BATCH.listQuery(batchId, pageToken) }, {
						itemIndex: entries[0].itemIndex,
						settings,
					}),
				);
				listed.push(...((page.results ?? []) as IDataObject[]));
				pageToken = (page.nextPageToken as string | undefined) || undefined;
			} while (pageToken);
			// Each listed message goes to the first item with the same reference and recipients.
			const byKey = new Map<string, IDataObject[]>();
			for (const message of listed) byKey.set(matchKey(message), [...(byKey.get(matchKey(message)) ?? []), message]);
			const found = entries.map((entry) => byKey.get(matchKey(entry.message.body))?.shift());
			if (found.every((message) => message && !BIRD_BATCH.pending(message)) || Date.now() > deadline) return found;
			wait = Math.min(wait * 2, 3000);
		}
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
			else if (waitForValidation) {
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
				if (unread) {
					json.warning = `${unread} Look up ${batchId ? `batch ${batchId}` : 'the message'} in Bird before sending it again.`;
					if (answer.responseText !== undefined) json.responseText = answer.responseText;
				} else if (waitForValidation && !json.validated) {
					json.warning = `Bird had not validated this message ${Math.round(BIRD_BATCH.validationWaitMs / 1000)} s after accepting the batch. It may still be sent or rejected: look up batch ${batchId} in Bird before sending it again.`;
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

	function enqueue(entry: Entry) {
		const entries = open.get(entry.message.channelId) ?? [];
		entries.push(entry);
		open.set(entry.message.channelId, entries);
		if (entries.length >= BIRD_BATCH.maxMessages) dispatch(entry.message.channelId);
	}

	return {
		prepare: prepareChannelMessage,
		async send(message, itemIndex, isHalted) {
			halted = isHalted;
			return await new Promise<ItemResult>((resolve, reject) => {
				if (!message.smart && !hasMedia(message.body)) {
					enqueue({ message, itemIndex, resolve, reject });
					return;
				}
				// A window check or an upload first; the item joins a batch once it is done.
				const finished = finishChannelMessage(context, lookups, message, itemIndex, settings, isHalted).then(
					(outcome) => enqueue({ message, itemIndex, outcome, resolve, reject }),
					reject,
				);
				finishing.add(finished);
				void finished.finally(() => finishing.delete(finished));
			});
		},
		async flush() {
			while (finishing.size) await Promise.all([...finishing]);
			for (const channelId of [...open.keys()]) dispatch(channelId);
		},
	};
}
