import type { IDataObject } from 'n8n-workflow';

import { useBirdServer } from '../helpers/bird-server';
import { ACCESS_KEY, CHANNEL_ID, credentialsFor, runNode, WORKSPACE_ID } from '../helpers/n8n';

const CONVERSATION_ID = 'aaf0ceff-de0d-4a63-b624-ae9bf0354912';
const SENDER_ID = 'e0b759f7-c366-4223-87a5-d1186ba4644f';
const PROJECT_ID = 'ce6a2fd6-b2fa-4f5a-a2cd-f3bd15883318';

const server = useBirdServer((request) =>
	request.path.endsWith('/conversations')
		? { status: 200, body: { id: CONVERSATION_ID, name: 'My first conversation', status: 'active', featuredParticipants: [] } }
		: { status: 200, body: { id: '3d22c1b1-61b3-4fb8-b8d8-f2c54ca8537d', conversationId: CONVERSATION_ID, status: 'accepted' } },
);

async function run(type: string, parameters: IDataObject) {
	const result = await runNode({ type, parameters, credentials: credentialsFor(server.url) });
	expect(result.error).toBeUndefined();
	expect(server.requests).toHaveLength(1);
	const [request] = server.requests;
	expect(request.method).toBe('POST');
	expect(request.headers.authorization).toBe(`AccessKey ${ACCESS_KEY}`);
	return { request, output: result.outputs[0] };
}

const template = {
	messageType: 'template',
	templateProjectId: { __rl: true, mode: 'list', value: PROJECT_ID, cachedResultName: 'Order update' },
	templateLocale: 'en',
	templateParameters: { parameter: [{ key: 'name', value: 'Robert', type: 'string' }] },
};
const templateBody = { projectId: PROJECT_ID, version: 'latest', locale: 'en', parameters: [{ type: 'string', key: 'name', value: 'Robert' }] };

describe('Create Conversation', () => {
	const base = {
		channelId: { __rl: true, mode: 'id', value: CHANNEL_ID },
		identifierValue: '+31627543581',
		conversationName: 'My first conversation',
	};

	test('with a text first message: the body of Bird’s guide, recipients defaulting to the participants', async () => {
		const { request, output } = await run('birdCreateConversation', { ...base, messageType: 'text', text: 'Hello, world!' });
		expect(request.path).toBe(`/workspaces/${WORKSPACE_ID}/conversations`);
		expect(request.body).toEqual({
			channelId: CHANNEL_ID,
			participants: [{ type: 'contact', identifierKey: 'phonenumber', identifierValue: '+31627543581' }],
			name: 'My first conversation',
			initialMessage: {
				recipients: [{ type: 'to', identifierKey: 'phonenumber', identifierValue: '+31627543581' }],
				body: { type: 'text', text: { text: 'Hello, world!' } },
			},
		});
		expect(output.map((item) => item.json.id)).toEqual([CONVERSATION_ID]);
		expect(output[0].pairedItem).toEqual({ item: 0 });
	});

	test('without a name: "Conversation with" the participants, as one version of Bird\'s docs requires a name', async () => {
		const { request } = await run('birdCreateConversation', { ...base, conversationName: '', identifierValue: '+31627543581, +31600000002', messageType: 'text', text: 'Hi' });
		expect((request.body as { name: string }).name).toBe('Conversation with +31627543581, +31600000002');
	});

	test('with a template first message, explicit recipients, visibility, accessibility and attributes', async () => {
		const { request } = await run('birdCreateConversation', {
			...base,
			identifierValue: '+31627543581, +31600000002',
			...template,
			options: {
				recipients: '+31600000002',
				visibility: 'private',
				accessibility: 'invite-only',
				attributes: { attribute: [{ key: 'ticketId', value: '123' }, { key: 'department', value: 'support' }] },
			},
		});
		expect(request.body).toEqual({
			channelId: CHANNEL_ID,
			participants: [
				{ type: 'contact', identifierKey: 'phonenumber', identifierValue: '+31627543581' },
				{ type: 'contact', identifierKey: 'phonenumber', identifierValue: '+31600000002' },
			],
			name: 'My first conversation',
			initialMessage: {
				recipients: [{ type: 'to', identifierKey: 'phonenumber', identifierValue: '+31600000002' }],
				template: templateBody,
			},
			visibility: 'private',
			accessibility: 'invite-only',
			attributes: { ticketId: '123', department: 'support' },
		});
	});
});

describe('Reply', () => {
	const base = { conversationId: CONVERSATION_ID, participantId: SENDER_ID };
	const path = `/workspaces/${WORKSPACE_ID}/conversations/${CONVERSATION_ID}/messages`;

	test('text, sent as the access key: the body of Bird’s guide', async () => {
		const { request, output } = await run('birdReply', { ...base, messageType: 'text', text: 'Thanks, we are on it.' });
		expect(request.path).toBe(path);
		expect(request.body).toEqual({
			participantType: 'accessKey',
			participantId: SENDER_ID,
			body: { type: 'text', text: { text: 'Thanks, we are on it.' } },
		});
		expect(output[0].json).toMatchObject({ conversationId: CONVERSATION_ID, status: 'accepted' });
	});

	test('image as a flow, to one recipient, with reference, draft and addMissingParticipants', async () => {
		const { request } = await run('birdReply', {
			...base,
			participantType: 'flow',
			identifierValue: '+31627543581',
			messageType: 'image',
			images: { image: [{ mediaUrl: 'https://example.com/receipt.png', altText: 'Receipt' }] },
			text: 'Your receipt',
			options: { reference: 'ticket-7', draft: false, addMissingParticipants: true },
		});
		expect(request.body).toEqual({
			participantType: 'flow',
			participantId: SENDER_ID,
			recipients: [{ type: 'to', identifierKey: 'phonenumber', identifierValue: '+31627543581' }],
			reference: 'ticket-7',
			addMissingParticipants: true,
			draft: false,
			body: { type: 'image', image: { images: [{ mediaUrl: 'https://example.com/receipt.png', altText: 'Receipt' }], text: 'Your receipt' } },
		});
	});

	test('Draft and Add Missing Participants from an expression that gives text: "true" and "false" are read as such, not dropped', async () => {
		const { request } = await run('birdReply', { ...base, messageType: 'text', text: 'Saved for later', options: { draft: '={{ "true" }}', addMissingParticipants: '={{ "false" }}' } });
		expect(request.body).toMatchObject({ draft: true, addMissingParticipants: false });
	});

	test('template: `template` at the top instead of `body`', async () => {
		const { request } = await run('birdReply', { ...base, ...template });
		expect(request.body).toEqual({ participantType: 'accessKey', participantId: SENDER_ID, template: templateBody });
	});
});
