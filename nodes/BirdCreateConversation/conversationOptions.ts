import type { IDataObject, INodeProperties } from 'n8n-workflow';

import { readAttributes } from '../shared/descriptions/attributes';
import { CONVERSATION_ACCESSIBILITIES, CONVERSATION_VISIBILITIES } from '../shared/descriptions/conversation';
import { readIdentifierList } from '../shared/descriptions/recipients';
import type { ItemInput } from '../shared/validation';
import { EXAMPLES, valuesOf } from '../shared/validation';

/** Options of a new conversation: who gets the first message, visibility, accessibility, attributes. */
export function applyConversationOptions(input: ItemInput, body: IDataObject): void {
	const visibility = input.choice('options.visibility', 'Options › Visibility', valuesOf(CONVERSATION_VISIBILITIES));
	if (visibility) body.visibility = visibility;
	const accessibility = input.choice('options.accessibility', 'Options › Accessibility', valuesOf(CONVERSATION_ACCESSIBILITIES));
	if (accessibility) body.accessibility = accessibility;

	const attributes = readAttributes(input, 'options.attributes', 'Options › Attributes', { asText: true, examples: ['ticketId', '123'] });
	if (attributes) body.attributes = attributes;

	const message = (body.initialMessage ?? (body.initialMessage = {})) as IDataObject;
	const recipients = readIdentifierList(input, 'options.recipients', 'Options › Recipients', { required: false });
	if (recipients.length) {
		message.recipients = recipients.map((recipient) => ({ type: 'to', ...recipient }));
	} else {
		// By default the first message goes to every participant.
		message.recipients = ((body.participants ?? []) as IDataObject[]).map(({ identifierKey, identifierValue }) => ({
			type: 'to',
			identifierKey,
			identifierValue,
		}));
	}
}

export const conversationOptions: INodeProperties = {
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	options: [
		{
			displayName: 'Accessibility',
			name: 'accessibility',
			type: 'options',
			options: CONVERSATION_ACCESSIBILITIES,
			default: 'open',
		},
		{
			displayName: 'Attributes',
			name: 'attributes',
			type: 'fixedCollection',
			typeOptions: { multipleValues: true, multipleValueButtonText: 'Add Attribute' },
			default: {},
			placeholder: 'Add Attribute',
			description: 'Your own data on the conversation, such as a ticket ID or a department',
			options: [
				{
					displayName: 'Attribute',
					name: 'attribute',
					values: [
						{ displayName: 'Key', name: 'key', type: 'string', default: '', placeholder: 'e.g. ticketId' },
						{ displayName: 'Value', name: 'value', type: 'string', default: '', placeholder: 'e.g. 123' },
					],
				},
			],
		},
		{
			displayName: 'Recipients',
			name: 'recipients',
			type: 'string',
			default: '',
			placeholder: `e.g. ${EXAMPLES.e164}`,
			description:
				'Who gets the first message, separated by commas, with the same identifier type as the participants. Empty: every participant.',
		},
		{
			displayName: 'Visibility',
			name: 'visibility',
			type: 'options',
			options: CONVERSATION_VISIBILITIES,
			default: 'public',
		},
	],
};
