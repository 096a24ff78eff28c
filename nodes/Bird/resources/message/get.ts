import type { INodeProperties } from 'n8n-workflow';

import { readChannelId } from '../../../shared/descriptions/channel';
import { WORKSPACE_PATH } from '../../../shared/descriptions/node';
import type { ItemInput } from '../../../shared/validation';
import { segment } from '../../shared/contactRef';
import { messageLocator } from '../../shared/locators';
import { operation } from '../../shared/operation';
import { showFor } from '../../shared/show';
import { readSimplify, simplifyField, simplifyMessage } from '../../shared/simplify';

export const fields: INodeProperties[] = [
	messageLocator({ displayOptions: showFor('message', ['get']), description: "The message's ID, as Send Message output it (id), or one of the channel's recent messages" }),
	simplifyField('message', ['get']),
];

/** `GET /workspaces/{ws}/channels/{channelId}/messages/{messageId}`: its status, and its failure when it failed. */
export const run = operation({
	readsOnly: true,
	prepare: (input: ItemInput) => ({
		channelId: readChannelId(input),
		messageId: input.uuid(input.raw('messageId'), { label: 'Message', path: 'messageId' }, { required: true }) as string,
		simplify: readSimplify(input),
	}),
	async send({ channelId, messageId, simplify }, call) {
		const json = await call.read({ method: 'GET', url: `${WORKSPACE_PATH}/channels/${segment(channelId)}/messages/${segment(messageId)}` });
		return { json: simplify ? simplifyMessage(json) : json };
	},
});
