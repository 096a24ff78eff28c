import type { IDataObject } from 'n8n-workflow';

import { readChannelId } from '../shared/descriptions/channel';
import { WORKSPACE_PATH } from '../shared/descriptions/node';
import { readIdentifierList } from '../shared/descriptions/recipients';
import { buildMessageContent } from '../shared/message';
import type { ItemRequest } from '../shared/send';
import type { ItemInput } from '../shared/validation';
import { applySendOptions } from './sendOptions';

/** Bird allows at most this many contacts in a message's receiver. */
const MAX_RECIPIENTS = 50;

/** One item's channel message: the channel it goes through and the request body. */
export interface ChannelMessage {
	channelId: string;
	body: IDataObject;
}

/** Reads and checks one item: channel, recipients, content, options. */
export function prepareChannelMessage(input: ItemInput): ChannelMessage {
	const channelId = readChannelId(input);
	const body: IDataObject = {
		receiver: { contacts: readIdentifierList(input, 'identifierValue', 'Recipient', { required: true, max: MAX_RECIPIENTS }) },
		...buildMessageContent(input),
	};
	applySendOptions(input, body);
	return { channelId, body };
}

/** The single-message request: `POST /workspaces/{ws}/channels/{channelId}/messages`. */
export function messageRequest({ channelId, body }: ChannelMessage): ItemRequest {
	return { method: 'POST', url: `${WORKSPACE_PATH}/channels/${encodeURIComponent(channelId)}/messages`, body };
}
