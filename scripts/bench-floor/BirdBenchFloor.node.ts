/**
 * Bench only (`npm run bench`, never shipped): the cost of reading Send Message's parameters and
 * nothing else. It declares the parameters a text message uses and reads each of them for each
 * item, as a node that reads its parameters per item does, then outputs an empty item. Loaded
 * into the bench's n8n as a custom extension (`CUSTOM.birdBenchFloor`).
 */
import type { IExecuteFunctions, INodeExecutionData, INodeProperties, INodeType, INodeTypeDescription } from 'n8n-workflow';

const text = (name: string): INodeProperties => ({ displayName: name, name, type: 'string', default: '' });
const collection = (name: string, options: INodeProperties[]): INodeProperties => ({ displayName: name, name, type: 'collection', default: {}, options });

/** What Send Message reads for a text message, by parameter path. */
const READS = [
	'channelId',
	'identifierKey',
	'identifierValue',
	'messageType',
	'text',
	'actions.action',
	'textOptions.whatsappLinkPreview',
	'textOptions.telegramParseMode',
	'options.replyTo',
	'options.reference',
	'options.tags',
	'options.scheduledFor',
	'options.validity',
	'options.cc',
	'options.bcc',
];

export class BirdBenchFloor implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Bird bench: read parameters only',
		name: 'birdBenchFloor',
		group: ['transform'],
		version: 1,
		description: 'Reads the parameters of a text message for each item and sends nothing',
		defaults: { name: 'Read parameters only' },
		inputs: ['main'],
		outputs: ['main'],
		properties: [
			{ displayName: 'Channel', name: 'channelId', type: 'resourceLocator', default: { mode: 'id', value: '' }, modes: [{ displayName: 'ID', name: 'id', type: 'string' }] },
			{ displayName: 'Identifier Type', name: 'identifierKey', type: 'options', options: [{ name: 'Phone', value: 'phonenumber' }], default: 'phonenumber' },
			text('identifierValue'),
			{ displayName: 'Message Type', name: 'messageType', type: 'options', options: [{ name: 'Text', value: 'text' }], default: 'text' },
			text('text'),
			{
				displayName: 'Buttons',
				name: 'actions',
				type: 'fixedCollection',
				typeOptions: { multipleValues: true },
				default: {},
				options: [{ displayName: 'Button', name: 'action', values: [text('text')] }],
			},
			collection('textOptions', [{ displayName: 'Preview', name: 'whatsappLinkPreview', type: 'boolean', default: false }, text('telegramParseMode')]),
			collection('options', [text('replyTo'), text('reference'), text('tags'), text('scheduledFor'), { displayName: 'Validity', name: 'validity', type: 'number', default: 86400 }, text('cc'), text('bcc')]),
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return [
			this.getInputData().map((_item, itemIndex) => {
				for (const path of READS) this.getNodeParameter(path, itemIndex, null);
				return { json: {}, pairedItem: { item: itemIndex } };
			}),
		];
	}
}
