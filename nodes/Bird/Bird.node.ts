import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import { README } from '../shared/constants';
import { deliveryOptions, readDelivery } from '../shared/descriptions/delivery';
import { birdCredential, birdIcon } from '../shared/descriptions/node';
import { runItems } from '../shared/executor';
import { searchChannels } from '../shared/listSearch';
import { getLists, searchContacts, searchConversations, searchLists, searchMessages } from './listSearch';
import { contactDescription, contactOperations } from './resources/contact';
import { conversationDescription, conversationOperations } from './resources/conversation';
import { messageDescription, messageOperations } from './resources/message';
import { BirdCall } from './shared/operation';

const OPERATIONS = { contact: contactOperations, conversation: conversationOperations, message: messageOperations };

/** Operations that only read: their Delivery options are a read's (Bird's 50 per second), the rest a write's. */
const READS = ['downloadMedia', 'get', 'getAll', 'getParticipants', 'search'];

export class Bird implements INodeType {
	description: INodeTypeDescription = {
		// Not "Bird": Bird's own package has a node of that name, and n8n's installer keys installed nodes by display name.
		displayName: 'Bird Channels',
		name: 'bird',
		icon: birdIcon,
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
		description: "Manage Bird's contacts, look up messages and manage conversations",
		defaults: { name: 'Bird Channels' },
		documentationUrl: README.birdChannels,
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: birdCredential,
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Contact', value: 'contact' },
					{ name: 'Conversation', value: 'conversation' },
					{ name: 'Message', value: 'message' },
				],
				default: 'contact',
			},
			...contactDescription,
			...conversationDescription,
			...messageDescription,
			{ ...deliveryOptions('read'), displayOptions: { show: { operation: READS } } },
			{ ...deliveryOptions('write'), displayOptions: { hide: { operation: READS } } },
		],
	};

	methods = {
		listSearch: { searchChannels, searchContacts, searchConversations, searchLists, searchMessages },
		loadOptions: { getLists },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const resource = this.getNodeParameter('resource', 0) as keyof typeof OPERATIONS;
		const name = this.getNodeParameter('operation', 0) as string;
		const operation = OPERATIONS[resource]?.[name];
		if (!operation) throw new NodeOperationError(this.getNode(), `The operation "${name}" is not known for the resource "${resource}"`);
		const settings = readDelivery(this.getNode(), this.getNodeParameter('delivery', 0, {}), operation.readsOnly ? 'read' : 'write');
		return await runItems(this, {
			readsOnly: operation.readsOnly,
			prepare: (input) => operation.prepare(input),
			send: async (prepared, itemIndex, halted) => await operation.send(prepared, new BirdCall(this, itemIndex, settings, halted)),
		});
	}
}
