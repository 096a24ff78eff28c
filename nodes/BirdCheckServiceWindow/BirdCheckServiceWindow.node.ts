import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { DOCS, README } from '../shared/constants';
import { channelLocator } from '../shared/descriptions/channel';
import { deliveryOptions, readDelivery } from '../shared/descriptions/delivery';
import { birdCredential, birdIcon } from '../shared/descriptions/node';
import { identifierFields } from '../shared/descriptions/recipients';
import { searchChannels } from '../shared/listSearch';
import { runItems } from '../shared/executor';
import { EXAMPLES } from '../shared/validation';
import { checkWindow } from '../shared/serviceWindow/check';
import { readWindowQuery } from './query';

const byIdentifier = { show: { contactBy: ['identifier'] } };
const byId = { show: { contactBy: ['id'] } };

export class BirdCheckServiceWindow implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Bird: Check Service Window',
		name: 'birdCheckServiceWindow',
		icon: birdIcon,
		group: ['transform'],
		version: 1,
		subtitle: 'Open or closed?',
		description:
			"Check whether WhatsApp's 24-hour customer-service window with a contact is open (any message) or closed (templates only)",
		defaults: { name: 'Bird: Check Service Window' },
		documentationUrl: README.checkServiceWindow,
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main, NodeConnectionTypes.Main],
		outputNames: ['Open', 'Closed'],
		credentials: birdCredential,
		properties: [
			channelLocator,
			{
				displayName: 'Find Contact By',
				name: 'contactBy',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Identifier', value: 'identifier', description: 'A phone number, email address or custom identifier' },
					{ name: 'Contact ID', value: 'id', description: "Bird's ID of the contact" },
				],
				default: 'identifier',
			},
			...identifierFields({ valueLabel: 'Contact', multiple: false, displayOptions: byIdentifier }),
			{
				displayName: 'Contact ID',
				name: 'contactId',
				type: 'string',
				default: '',
				required: true,
				placeholder: `e.g. ${EXAMPLES.uuid}`,
				displayOptions: byId,
			},
			{
				displayName: 'Contact Identifier Value',
				name: 'contactIdentifierValue',
				type: 'string',
				default: '',
				placeholder: `e.g. ${EXAMPLES.e164}`,
				description: 'The phone number (or other identifier) the contact uses on this channel, if you have it',
				displayOptions: byId,
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				options: [
					{
						displayName: 'Minimum Remaining Time (Minutes)',
						name: 'minimumRemainingMinutes',
						type: 'number',
						default: 0,
						description:
							'Treat a window that closes sooner than this as closed, so a free-form message is not sent seconds before it expires',
					},
				],
			},
			deliveryOptions('read'),
			{
				displayName: `Items go to <b>Open</b> (a free-form message may be sent) or <b>Closed</b> (send a template), with a <code>serviceWindow</code> object added. <a href="${DOCS.serviceWindow}" target="_blank">The window in Bird's docs</a>`,
				name: 'windowNotice',
				type: 'notice',
				default: '',
			},
		],
	};

	methods = { listSearch: { searchChannels } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const settings = readDelivery(this.getNode(), this.getNodeParameter('delivery', 0, {}), 'read');
		const items = this.getInputData();
		return await runItems(this, {
			outputs: 2,
			// A window check changes nothing: n8n's Retry On Fail may check again.
			readsOnly: true,
			prepare: readWindowQuery,
			send: async (query, itemIndex, halted) => {
				const window = await checkWindow(this, query, itemIndex, settings, halted);
				const { json, binary } = items[itemIndex];
				// Open goes to the first output, closed to the second; the item keeps its input.
				return { json: { ...json, serviceWindow: { ...window } }, binary, output: window.isOpen ? 0 : 1 };
			},
		});
	}
}
