import type { INodeProperties } from 'n8n-workflow';

import { WORKSPACE_PATH } from '../../../shared/descriptions/node';
import type { ItemInput } from '../../../shared/validation';
import { segment } from '../../shared/contactRef';
import { operation } from '../../shared/operation';
import { pagingFields, readPages, readPaging } from '../../shared/paging';
import { readConversationId } from './conversationId';

/** The page size asked for (Bird's docs give none for participants; its other conversation lists take 100). */
const PAGE_SIZE = 100;

export const fields: INodeProperties[] = [...pagingFields('conversation', 'getParticipants')];

/** `GET /workspaces/{ws}/conversations/{id}/participants`: one output item per participant. */
export const run = operation({
	readsOnly: true,
	prepare: (input: ItemInput) => ({ id: readConversationId(input), paging: readPaging(input) }),
	async send({ id, paging }, call) {
		return { json: {}, each: await readPages(call, { method: 'GET', url: `${WORKSPACE_PATH}/conversations/${segment(id)}/participants` }, paging, PAGE_SIZE) };
	},
});
