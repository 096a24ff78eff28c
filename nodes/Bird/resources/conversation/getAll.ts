import type { IDataObject, INodeProperties } from 'n8n-workflow';

import { WORKSPACE_PATH } from '../../../shared/descriptions/node';
import type { ItemInput } from '../../../shared/validation';
import { valuesOf } from '../../../shared/validation';
import type { ContactRef } from '../../shared/contactRef';
import { readContactText, searchContacts, segment } from '../../shared/contactRef';
import { CONTACT_IDENTIFIER_HINT } from '../../shared/locators';
import { operation } from '../../shared/operation';
import type { Paging } from '../../shared/paging';
import { pagingFields, readPages, readPaging } from '../../shared/paging';
import { showFor } from '../../shared/show';
import { CONVERSATION_STATUSES } from './statuses';

/** Bird's largest page of conversations. */
const PAGE_SIZE = 100;

export const fields: INodeProperties[] = [
	...pagingFields('conversation', 'getAll'),
	{
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		displayOptions: showFor('conversation', ['getAll']),
		options: [
			{
				displayName: 'Channel ID',
				name: 'channelId',
				type: 'string',
				default: '',
				placeholder: 'e.g. 5da69b04-d462-5efd-9b65-28dbae1e0482',
				description: 'Only conversations on this channel',
			},
			{
				displayName: 'Contact',
				name: 'contact',
				type: 'string',
				default: '',
				placeholder: 'e.g. +31612345678',
				description: `Only conversations this contact takes part in: a contact ID, or ${CONTACT_IDENTIFIER_HINT.replace(/^A /, 'a ')}`,
			},
			{ displayName: 'Status', name: 'status', type: 'options', default: 'active', options: CONVERSATION_STATUSES },
		],
	},
];

interface ConversationList {
	paging: Paging;
	qs: IDataObject;
	contact?: ContactRef;
}

/**
 * `GET /workspaces/{ws}/conversations`, page by page; with a contact, Bird's conversations of that
 * participant, `GET /workspaces/{ws}/participants/{contactId}/conversations`. A contact given by
 * identifier is found with Bird's contact search first; one Bird does not know lists nothing.
 */
export const run = operation({
	readsOnly: true,
	prepare(input: ItemInput): ConversationList {
		const qs: IDataObject = {};
		const channelId = input.uuid(input.raw('filters.channelId'), { label: 'Filters › Channel ID', path: 'filters.channelId' });
		if (channelId) qs.channelId = channelId;
		const status = input.choice('filters.status', 'Filters › Status', valuesOf(CONVERSATION_STATUSES), 'active');
		if (status) qs.status = status;
		return { paging: readPaging(input), qs, contact: readContactText(input, 'filters.contact', 'Filters › Contact') };
	},
	async send({ paging, qs, contact }, call) {
		let url = `${WORKSPACE_PATH}/conversations`;
		if (contact) {
			const contactId = 'id' in contact ? contact.id : (await searchContacts(call, contact.identifier))[0]?.id;
			// A contact Bird does not know takes part in no conversation.
			if (typeof contactId !== 'string') return { json: {}, each: [] };
			url = `${WORKSPACE_PATH}/participants/${segment(contactId)}/conversations`;
		}
		return { json: {}, each: await readPages(call, { method: 'GET', url, qs }, paging, PAGE_SIZE) };
	},
});
