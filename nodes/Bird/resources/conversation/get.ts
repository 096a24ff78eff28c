import type { INodeProperties } from 'n8n-workflow';

import { WORKSPACE_PATH } from '../../../shared/descriptions/node';
import type { ItemInput } from '../../../shared/validation';
import { segment } from '../../shared/contactRef';
import { operation } from '../../shared/operation';
import { readConversationId } from './conversationId';

// Its one field, the Conversation picker, is shared by the conversation operations (index.ts).
export const fields: INodeProperties[] = [];

/** `GET /workspaces/{ws}/conversations/{id}`: status, channel, participants, last message. */
export const run = operation({
	readsOnly: true,
	prepare: (input: ItemInput) => readConversationId(input),
	async send(id, call) {
		return { json: await call.read({ method: 'GET', url: `${WORKSPACE_PATH}/conversations/${segment(id)}` }) };
	},
});
