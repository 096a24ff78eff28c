import type { INodeProperties } from 'n8n-workflow';

import { WORKSPACE_PATH } from '../../../shared/descriptions/node';
import type { ItemInput } from '../../../shared/validation';
import { operation } from '../../shared/operation';
import type { Paging } from '../../shared/paging';
import { pagingFields, readPages, readPaging } from '../../shared/paging';
import { readSimplify, simplifyContact, simplifyField } from '../../shared/simplify';

/** Bird's largest page of contacts. */
const PAGE_SIZE = 100;

export const fields: INodeProperties[] = [...pagingFields('contact', 'getAll'), simplifyField('contact', ['getAll'])];

/** `GET /workspaces/{ws}/contacts`, page by page: one output item per contact. */
export const run = operation({
	readsOnly: true,
	prepare: (input: ItemInput): { paging: Paging; simplify: boolean } => ({ paging: readPaging(input), simplify: readSimplify(input) }),
	async send({ paging, simplify }, call) {
		const contacts = await readPages(call, { method: 'GET', url: `${WORKSPACE_PATH}/contacts` }, paging, PAGE_SIZE);
		return { json: {}, each: simplify ? contacts.map(simplifyContact) : contacts };
	},
});
