import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { readChannelId } from '../shared/descriptions/channel';
import { WORKSPACE_PATH } from '../shared/descriptions/node';
import { readIdentifierList } from '../shared/descriptions/recipients';
import type { ExecutionLookups } from '../shared/lookups';
import { hasMedia, uploadMedia } from '../shared/media';
import type { SmartSend, SmartSendOutcome } from '../shared/message';
import { applySmartSend, buildMessageContent, readSmartSend } from '../shared/message';
import type { ItemRequest } from '../shared/send';
import type { QuestionSender } from '../shared/waiting/send';
import type { DeliverySettings } from '../shared/transport/request';
import type { ItemInput } from '../shared/validation';
import { applySendOptions } from './sendOptions';

/** Bird allows at most this many contacts in a message's receiver. */
const MAX_RECIPIENTS = 50;

/** One item's channel message: the channel it goes through, the request body, and smart send. */
export interface ChannelMessage {
	channelId: string;
	body: IDataObject;
	smart?: SmartSend;
}

/** Reads and checks one item: channel, recipients, content, smart send, options. Sends nothing. */
export async function prepareChannelMessage(input: ItemInput): Promise<ChannelMessage> {
	const channelId = readChannelId(input);
	const contacts = readIdentifierList(input, 'identifierValue', 'Recipient', { required: true, max: MAX_RECIPIENTS });
	const body: IDataObject = { receiver: { contacts }, ...(await buildMessageContent(input)) };
	const smart = await readSmartSend(input);
	if (smart && contacts.length > 1) {
		input.fail(
			{ label: 'Recipient', path: 'identifierValue' },
			`has ${contacts.length} recipients, but If Service Window Is Closed checks one contact's window per message. Give each recipient an item of its own, or choose Send Anyway`,
			contacts[0].identifierValue,
		);
	}
	applySendOptions(input, body);
	return smart ? { channelId, body, smart } : { channelId, body };
}

/**
 * What happens to a prepared message just before it goes out: the window check of smart send
 * (which may turn it into the fallback template), then the upload of any binary media, whose
 * URLs take the placeholders' places. Returns what the item's output adds to Bird's answer.
 */
export async function finishChannelMessage(
	context: IExecuteFunctions,
	lookups: ExecutionLookups,
	message: ChannelMessage,
	itemIndex: number,
	settings: DeliverySettings,
	halted: () => boolean,
): Promise<SmartSendOutcome | undefined> {
	let outcome: SmartSendOutcome | undefined;
	if (message.smart) {
		const [identifier] = (message.body.receiver as { contacts: Array<{ identifierKey: string; identifierValue: string }> }).contacts;
		outcome = await applySmartSend(
			context,
			message.smart,
			{
				channel: await lookups.channel(message.channelId, itemIndex, halted),
				contact: { identifier, identifierValue: identifier.identifierValue },
				message: message.body,
			},
			itemIndex,
			settings,
			halted,
		);
	}
	if (hasMedia(message.body)) await uploadMedia(context, message.body, { channel: true }, settings, halted);
	return outcome;
}

/** The single-message request: `POST /workspaces/{ws}/channels/{channelId}/messages`. */
export function messageRequest({ channelId, body }: ChannelMessage): ItemRequest {
	return { method: 'POST', url: `${WORKSPACE_PATH}/channels/${encodeURIComponent(channelId)}/messages`, body };
}

/**
 * Send and Wait's question through a channel: to one recipient (the answer is matched by its
 * contact), through the transport like every message.
 */
export function channelQuestion(lookups: ExecutionLookups): QuestionSender<{ channelId: string; contacts: IDataObject[] }> {
	return {
		prepare: (input) => ({
			channelId: readChannelId(input),
			contacts: readIdentifierList(input, 'identifierValue', 'Recipient', { required: true, max: 1 }) as unknown as IDataObject[],
		}),
		platform: async (target, itemIndex, halted) => String((await lookups.channel(target.channelId, itemIndex, halted)).platformId ?? ''),
		request: async (target, content) => messageRequest({ channelId: target.channelId, body: { receiver: { contacts: target.contacts }, body: content.body, reference: content.reference } }),
	};
}
