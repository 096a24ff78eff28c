import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';

import { DOCS } from '../shared/constants';
import { deliveryOptions, readDelivery } from '../shared/descriptions/delivery';
import { birdIcon, sendingNodeBase, WORKSPACE_PATH } from '../shared/descriptions/node';
import { identifierFields, readIdentifierList } from '../shared/descriptions/recipients';
import { runItems } from '../shared/executor';
import { searchTemplates } from '../shared/listSearch';
import { buildMessageContent, messageContentProperties } from '../shared/message';
import type { ItemRequest } from '../shared/send';
import { oneRequestEach } from '../shared/send';
import type { ItemInput } from '../shared/validation';
import { EXAMPLES } from '../shared/validation';

/** One item's request: `POST /workspaces/{ws}/conversations/{conversationId}/messages`. */
function replyRequest(input: ItemInput): ItemRequest {
	const conversationId = input.uuid(input.raw('conversationId'), { label: 'Conversation ID', path: 'conversationId' }, { required: true }) as string;
	const body: IDataObject = {
		participantType: input.param('participantType', 'Sender Type') ?? 'accessKey',
		participantId: input.param('participantId', 'Sender ID', { required: true, example: EXAMPLES.uuid })?.trim(),
	};
	const recipients = readIdentifierList(input, 'identifierValue', 'Recipients', { required: false });
	if (recipients.length) body.recipients = recipients.map((recipient) => ({ type: 'to', ...recipient }));
	const reference = input.param('options.reference', 'Options › Reference', { maxLength: 256 });
	if (reference) body.reference = reference;
	const addMissing = input.raw('options.addMissingParticipants');
	if (typeof addMissing === 'boolean') body.addMissingParticipants = addMissing;
	const draft = input.raw('options.draft');
	if (typeof draft === 'boolean') body.draft = draft;
	Object.assign(body, buildMessageContent(input));
	return { method: 'POST', url: `${WORKSPACE_PATH}/conversations/${encodeURIComponent(conversationId)}/messages`, body };
}

export class BirdReply implements INodeType {
	description: INodeTypeDescription = {
		...sendingNodeBase,
		icon: birdIcon,
		usableAsTool: true,
		displayName: 'Bird: Reply',
		name: 'birdReply',
		subtitle: '={{ "Reply with " + $parameter["messageType"] }}',
		description: 'Send a message into an existing Bird conversation',
		defaults: { name: 'Bird: Reply' },
		properties: [
			{
				displayName: 'Conversation ID',
				name: 'conversationId',
				type: 'string',
				default: '',
				required: true,
				placeholder: 'e.g. {{ $json.conversationId }}',
				description:
					'The conversation to reply in, usually from a trigger or an earlier node (the ID of a conversation Bird created)',
			},
			{
				displayName: 'Sender Type',
				name: 'participantType',
				type: 'options',
				options: [
					{ name: 'Access Key', value: 'accessKey', description: 'This integration (the access key of the credential)' },
					{ name: 'User', value: 'user', description: 'An agent of your workspace' },
					{ name: 'Flow', value: 'flow', description: 'A Bird flow' },
				],
				default: 'accessKey',
				description: 'Who the message is sent as',
			},
			{
				displayName: 'Sender ID',
				name: 'participantId',
				type: 'string',
				default: '',
				required: true,
				placeholder: `e.g. ${EXAMPLES.uuid}`,
				description:
					"The ID of the sender: the access key's ID (not the key itself; Bird shows it with the key), a user ID or a flow ID",
			},
			...identifierFields({ valueLabel: 'Recipients', multiple: true, required: false }),
			...messageContentProperties(),
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				options: [
					{
						displayName: 'Add Missing Participants',
						name: 'addMissingParticipants',
						type: 'boolean',
						default: true,
						description: 'Whether to add the sender to the conversation first if it is not a participant yet',
					},
					{
						displayName: 'Draft',
						name: 'draft',
						type: 'boolean',
						default: false,
						description: 'Whether to save the message as a draft instead of sending it',
					},
					{
						displayName: 'Reference',
						name: 'reference',
						type: 'string',
						default: '',
						placeholder: 'e.g. order-1234',
						description: 'Your own identifier for the message',
					},
				],
			},
			deliveryOptions('write'),
			{
				displayName: `Leave Recipients empty to reply to the conversation's participants. Bird answers with the new message. <a href="${DOCS.conversations}" target="_blank">Conversations in Bird's docs</a>`,
				name: 'replyNotice',
				type: 'notice',
				default: '',
			},
		],
	};

	methods = { listSearch: { searchTemplates } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await runItems(this, { prepare: replyRequest, send: oneRequestEach(this, readDelivery(this.getNodeParameter('delivery', 0, {}))) });
	}
}
