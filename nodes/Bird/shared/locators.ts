/**
 * The pickers of Bird Channels: a searchable list of what Bird can list, or an ID (and, for a
 * contact, a phone number, email address or other identifier). Their search methods are in
 * ../listSearch.
 */
import type { INodeProperties } from 'n8n-workflow';

import { EXAMPLES, PATTERNS } from '../../shared/validation';

type Picker = Pick<INodeProperties, 'displayOptions' | 'description'>;

const uuidOnly = (what: string) => [
	{ type: 'regex' as const, properties: { regex: PATTERNS.uuid.source, errorMessage: `A ${what} ID is a UUID, e.g. ${EXAMPLES.uuid}` } },
];

/** How a contact is written where one is asked for by identifier; see contactRef.ts. */
export const CONTACT_IDENTIFIER_HINT = `A phone number (${EXAMPLES.e164}), an email address (${EXAMPLES.email}) or key:value for another identifier (telegramusername:jane)`;

export const contactLocator = (picker: Picker = {}): INodeProperties => ({
	displayName: 'Contact',
	name: 'contactId',
	type: 'resourceLocator',
	default: { mode: 'list', value: '' },
	required: true,
	...picker,
	modes: [
		{ displayName: 'From List', name: 'list', type: 'list', placeholder: 'Select a contact...', typeOptions: { searchListMethod: 'searchContacts', searchable: true } },
		{ displayName: 'By ID', name: 'id', type: 'string', placeholder: `e.g. ${EXAMPLES.uuid}`, validation: uuidOnly('contact') },
		{ displayName: 'By Identifier', name: 'identifier', type: 'string', placeholder: `e.g. ${EXAMPLES.e164} or ${EXAMPLES.email}`, hint: CONTACT_IDENTIFIER_HINT },
	],
});

export const conversationLocator = (picker: Picker = {}): INodeProperties => ({
	displayName: 'Conversation',
	name: 'conversationId',
	type: 'resourceLocator',
	default: { mode: 'list', value: '' },
	required: true,
	...picker,
	modes: [
		{ displayName: 'From List', name: 'list', type: 'list', placeholder: 'Select a conversation...', typeOptions: { searchListMethod: 'searchConversations', searchable: true } },
		{ displayName: 'By ID', name: 'id', type: 'string', placeholder: `e.g. ${EXAMPLES.uuid}`, validation: uuidOnly('conversation') },
	],
});

export const listLocator = (picker: Picker = {}): INodeProperties => ({
	displayName: 'List',
	name: 'listId',
	type: 'resourceLocator',
	default: { mode: 'list', value: '' },
	required: true,
	...picker,
	modes: [
		{ displayName: 'From List', name: 'list', type: 'list', placeholder: 'Select a list...', typeOptions: { searchListMethod: 'searchLists', searchable: true } },
		{ displayName: 'By ID', name: 'id', type: 'string', placeholder: `e.g. ${EXAMPLES.uuid}`, validation: uuidOnly('list') },
	],
});

/** A message of the Channel chosen above (its recent messages to pick from). */
export const messageLocator = (picker: Picker = {}): INodeProperties => ({
	displayName: 'Message',
	name: 'messageId',
	type: 'resourceLocator',
	default: { mode: 'list', value: '' },
	required: true,
	...picker,
	modes: [
		{ displayName: 'From List', name: 'list', type: 'list', placeholder: 'Select a message...', typeOptions: { searchListMethod: 'searchMessages', searchable: true } },
		{ displayName: 'By ID', name: 'id', type: 'string', placeholder: `e.g. ${EXAMPLES.uuid}`, validation: uuidOnly('message') },
	],
});
