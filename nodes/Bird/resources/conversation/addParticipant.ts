import type { IDataObject, INodeProperties } from 'n8n-workflow';

import { WORKSPACE_PATH } from '../../../shared/descriptions/node';
import type { ItemInput } from '../../../shared/validation';
import { EXAMPLES } from '../../../shared/validation';
import { readContact, segment } from '../../shared/contactRef';
import { contactLocator } from '../../shared/locators';
import { operation } from '../../shared/operation';
import { showFor } from '../../shared/show';
import { readConversationId } from './conversationId';

const show = showFor('conversation', ['addParticipant']);
const TYPES = ['contact', 'user', 'accessKey', 'flow'];

export const fields: INodeProperties[] = [
	{
		displayName: 'Participant Type',
		name: 'participantType',
		type: 'options',
		default: 'contact',
		options: [
			{ name: 'Access Key', value: 'accessKey', description: 'An API access key (the ID Bird shows next to the key)' },
			{ name: 'Contact', value: 'contact', description: 'A customer' },
			{ name: 'Flow', value: 'flow', description: 'An automation flow' },
			{ name: 'User', value: 'user', description: 'An agent of your workspace' },
		],
		displayOptions: show,
	},
	contactLocator({ displayOptions: showFor('conversation', ['addParticipant'], { participantType: ['contact'] }), description: 'The contact: from the list, by ID, or by a phone number, email address or other identifier' }),
	{
		displayName: 'Participant ID',
		name: 'participantId',
		type: 'string',
		default: '',
		required: true,
		placeholder: `e.g. ${EXAMPLES.uuid}`,
		displayOptions: showFor('conversation', ['addParticipant'], { participantType: ['user', 'accessKey', 'flow'] }),
	},
];

/**
 * `POST /workspaces/{ws}/conversations/{id}/participants`: Bird answers 201 when it added the
 * participant and 200 when it was there already; the output says which (`added`). A contact goes
 * by its identifier as Bird's docs show (`{type: contact, contact: {identifierKey, identifierValue}}`)
 * or by its ID (`{type, id}`, as every other participant type).
 */
export const run = operation({
	readsOnly: false,
	prepare(input: ItemInput): { id: string; body: IDataObject } {
		const id = readConversationId(input);
		const type = input.choice('participantType', 'Participant Type', TYPES) ?? 'contact';
		if (type !== 'contact') {
			return { id, body: { type, id: input.uuid(input.raw('participantId'), { label: 'Participant ID', path: 'participantId' }, { required: true }) } };
		}
		const contact = readContact(input);
		const body: IDataObject =
			'id' in contact ? { type, id: contact.id } : { type, contact: { identifierKey: contact.identifier.key, identifierValue: contact.identifier.value } };
		return { id, body };
	},
	async send({ id, body }, call) {
		const { statusCode, json } = await call.write({ method: 'POST', url: `${WORKSPACE_PATH}/conversations/${segment(id)}/participants`, body });
		return { json: { ...json, added: statusCode === 201 } };
	},
});
