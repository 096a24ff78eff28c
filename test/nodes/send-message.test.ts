import type { IDataObject } from 'n8n-workflow';

import { useBirdServer } from '../helpers/bird-server';
import { ACCESS_KEY, CHANNEL_ID, credentialsFor, runNode, WORKSPACE_ID } from '../helpers/n8n';

const MESSAGES_PATH = `/workspaces/${WORKSPACE_ID}/channels/${CHANNEL_ID}/messages`;
const PHONE = '+31612345678';
const IMAGE_URL = 'https://example.com/image.png';

const server = useBirdServer((request, index) => ({
	status: 202,
	body: { id: `msg-${index + 1}`, status: 'accepted', body: (request.body as IDataObject)?.body },
}));

const channel = { __rl: true, mode: 'id', value: CHANNEL_ID };

async function send(parameters: IDataObject, items?: IDataObject[], continueOnFail = false) {
	return await runNode({
		type: 'birdSendMessage',
		parameters: { channelId: channel, identifierValue: PHONE, ...parameters },
		items,
		credentials: credentialsFor(server.url),
		continueOnFail,
	});
}

/** Sends one message and returns the single request Bird received. */
async function sentBody(parameters: IDataObject): Promise<IDataObject> {
	const result = await send(parameters);
	expect(result.error).toBeUndefined();
	expect(server.requests).toHaveLength(1);
	const [request] = server.requests;
	expect(request.method).toBe('POST');
	expect(request.path).toBe(MESSAGES_PATH);
	expect(request.headers.authorization).toBe(`AccessKey ${ACCESS_KEY}`);
	expect(request.headers['content-type']).toMatch(/^application\/json/);
	return request.body as IDataObject;
}

const receiver = { contacts: [{ identifierKey: 'phonenumber', identifierValue: PHONE }] };

describe('Send Message: message types', () => {
	test('text', async () => {
		expect(await sentBody({ messageType: 'text', text: 'Single text message' })).toEqual({
			receiver,
			body: { type: 'text', text: { text: 'Single text message' } },
		});
	});

	test('text with reply, postback, link and location-request buttons and link preview', async () => {
		const body = await sentBody({
			messageType: 'text',
			text: 'Pick one',
			actions: {
				action: [
					{ type: 'reply', text: 'Reply action 1' },
					{ type: 'postback', text: 'Postback action 1', payload: 'postback-payload-1' },
					{ type: 'link', text: 'Track', url: 'https://example.com/track' },
					{ type: 'locationRequest', text: '' },
				],
			},
			textOptions: { whatsappLinkPreview: true },
		});
		expect(body).toEqual({
			receiver,
			body: {
				type: 'text',
				text: {
					text: 'Pick one',
					actions: [
						{ type: 'reply', reply: { text: 'Reply action 1' } },
						{ type: 'postback', postback: { text: 'Postback action 1', payload: 'postback-payload-1' } },
						{ type: 'link', link: { text: 'Track', url: 'https://example.com/track' } },
						{ type: 'locationRequest' },
					],
					metadata: { whatsapp: { previewUrl: true } },
				},
			},
		});
	});

	test('image: several images with alt text, caption and buttons', async () => {
		const body = await sentBody({
			messageType: 'image',
			text: 'Multiple images message',
			images: {
				image: [
					{ mediaUrl: IMAGE_URL, altText: 'Label of first image' },
					{ mediaUrl: 'https://example.com/second.avif', altText: '' },
				],
			},
			actions: { action: [{ type: 'reply', text: 'Reply action' }] },
		});
		expect(body.body).toEqual({
			type: 'image',
			image: {
				images: [
					{ mediaUrl: IMAGE_URL, altText: 'Label of first image' },
					{ mediaUrl: 'https://example.com/second.avif' },
				],
				text: 'Multiple images message',
				actions: [{ type: 'reply', reply: { text: 'Reply action' } }],
			},
		});
	});

	test('file: several files with content type and filename', async () => {
		const body = await sentBody({
			messageType: 'file',
			text: 'Multiple files message',
			files: {
				file: [
					{ mediaUrl: 'https://example.com/video.mp4', contentType: 'video/mp4', filename: '' },
					{ mediaUrl: 'https://example.com/document.pdf', contentType: 'application/pdf', filename: 'passport.pdf' },
				],
			},
		});
		expect(body.body).toEqual({
			type: 'file',
			file: {
				files: [
					{ mediaUrl: 'https://example.com/video.mp4', contentType: 'video/mp4' },
					{ mediaUrl: 'https://example.com/document.pdf', contentType: 'application/pdf', filename: 'passport.pdf' },
				],
				text: 'Multiple files message',
			},
		});
	});

	test('location', async () => {
		const body = await sentBody({
			messageType: 'location',
			latitude: 52.3435942,
			longitude: 4.9091077,
			locationAddress: 'Trompenburgstraat 2C, 1079 TX Amsterdam',
			locationLabel: 'MessageBird Amsterdam office',
		});
		expect(body.body).toEqual({
			type: 'location',
			location: {
				coordinates: { latitude: 52.3435942, longitude: 4.9091077 },
				location: { address: 'Trompenburgstraat 2C, 1079 TX Amsterdam', label: 'MessageBird Amsterdam office' },
			},
		});
	});

	test('list with sections, descriptions and a button label', async () => {
		const body = await sentBody({
			messageType: 'list',
			text: 'List text',
			listTitle: 'List title',
			listButtonLabel: 'Show options',
			listRows: {
				row: [
					{ section: 'Section 1', text: 'Postback action 1', payload: 'p-1', description: 'Description 1' },
					{ section: 'Section 2', text: 'Postback action 3', payload: 'p-3', description: '' },
					{ section: 'Section 1', text: 'Postback action 2', payload: 'p-2', description: '' },
				],
			},
		});
		expect(body.body).toEqual({
			type: 'list',
			list: {
				text: 'List text',
				title: 'List title',
				items: [
					{
						title: 'Section 1',
						actions: [
							{
								type: 'postback',
								postback: { text: 'Postback action 1', payload: 'p-1', metadata: { description: { label: 'Description 1' } } },
							},
							{ type: 'postback', postback: { text: 'Postback action 2', payload: 'p-2' } },
						],
					},
					{ title: 'Section 2', actions: [{ type: 'postback', postback: { text: 'Postback action 3', payload: 'p-3' } }] },
				],
				metadata: { button: { label: 'Show options' } },
			},
		});
	});

	test('list without sections', async () => {
		const body = await sentBody({
			messageType: 'list',
			text: 'List text',
			listRows: { row: [{ section: '', text: 'One', payload: 'one' }] },
		});
		expect(body.body).toEqual({
			type: 'list',
			list: { text: 'List text', items: [{ actions: [{ type: 'postback', postback: { text: 'One', payload: 'one' } }] }] },
		});
	});

	test('carousel', async () => {
		const card = (n: number) => ({
			title: `Card ${n}`,
			mediaUrl: `https://example.com/${n}.jpg`,
			description: n === 1 ? 'First' : '',
			linkText: 'Buy',
			linkUrl: `https://example.com/p/${n}`,
		});
		const body = await sentBody({ messageType: 'carousel', text: 'Our picks', carouselCards: { card: [card(1), card(2)] } });
		expect(body.body).toEqual({
			type: 'carousel',
			carousel: {
				text: 'Our picks',
				items: [
					{
						title: 'Card 1',
						mediaUrl: 'https://example.com/1.jpg',
						description: 'First',
						actions: [{ type: 'link', link: { text: 'Buy', url: 'https://example.com/p/1' } }],
					},
					{
						title: 'Card 2',
						mediaUrl: 'https://example.com/2.jpg',
						actions: [{ type: 'link', link: { text: 'Buy', url: 'https://example.com/p/2' } }],
					},
				],
			},
		});
	});

	test('template: sends `template` instead of `body`', async () => {
		const body = await sentBody({
			messageType: 'template',
			templateProjectId: { __rl: true, mode: 'id', value: 'ce6a2fd6-b2fa-4f5a-a2cd-f3bd15883318' },
			templateVersion: 'latest',
			templateLocale: 'en',
			templateParameters: { parameter: [{ key: 'name', value: 'Robert', type: 'string' }] },
		});
		expect(body).toEqual({
			receiver,
			template: {
				projectId: 'ce6a2fd6-b2fa-4f5a-a2cd-f3bd15883318',
				version: 'latest',
				locale: 'en',
				parameters: [{ type: 'string', key: 'name', value: 'Robert' }],
			},
		});
	});

	test('html email with subject, to an email address', async () => {
		const body = await sentBody({
			identifierKey: 'emailaddress',
			identifierValue: 'jane@example.com',
			messageType: 'html',
			emailSubject: 'Your order',
			html: '<p>Hello <b>Jane</b></p>',
			text: 'Hello Jane',
		});
		expect(body).toEqual({
			receiver: { contacts: [{ identifierKey: 'emailaddress', identifierValue: 'jane@example.com' }] },
			body: { type: 'html', html: { html: '<p>Hello <b>Jane</b></p>', text: 'Hello Jane', metadata: { subject: 'Your order' } } },
		});
	});
});

describe('Send Message: recipients and options', () => {
	test('several recipients, phone numbers normalised', async () => {
		const body = await sentBody({ messageType: 'text', text: 'Hi', identifierValue: '+31 6 1234 5678, +1 (415) 555-0100' });
		expect(body.receiver).toEqual({
			contacts: [
				{ identifierKey: 'phonenumber', identifierValue: '+31612345678' },
				{ identifierKey: 'phonenumber', identifierValue: '+14155550100' },
			],
		});
	});

	test('email with cc and bcc', async () => {
		const body = await sentBody({
			identifierKey: 'emailaddress',
			identifierValue: 'jane@example.com',
			messageType: 'text',
			text: 'Hi',
			options: { cc: 'team@example.com', bcc: 'audit@example.com, boss@example.com' },
		});
		expect(body.receiver).toEqual({
			contacts: [
				{ identifierKey: 'emailaddress', identifierValue: 'jane@example.com' },
				{ identifierKey: 'emailaddress', identifierValue: 'team@example.com', type: 'cc' },
				{ identifierKey: 'emailaddress', identifierValue: 'audit@example.com', type: 'bcc' },
				{ identifierKey: 'emailaddress', identifierValue: 'boss@example.com', type: 'bcc' },
			],
		});
	});

	test('custom identifier key', async () => {
		const body = await sentBody({ identifierKey: 'custom', customIdentifierKey: 'telegramusername', identifierValue: 'jane_doe', messageType: 'text', text: 'Hi' });
		expect(body.receiver).toEqual({ contacts: [{ identifierKey: 'telegramusername', identifierValue: 'jane_doe' }] });
	});

	test('replyTo, reference, tags, scheduledFor, validity', async () => {
		const when = new Date(Date.now() + 3 * 86_400_000);
		when.setMilliseconds(0);
		const body = await sentBody({
			messageType: 'text',
			text: 'Hi',
			options: {
				replyTo: '1e7b70ab-3dcc-48f4-a6f6-63a493f6134c',
				reference: 'order-1234',
				tags: 'order-update, vip customer',
				scheduledFor: when.toISOString(),
				validity: 3600,
			},
		});
		expect(body).toEqual({
			receiver,
			body: { type: 'text', text: { text: 'Hi' } },
			replyTo: { id: '1e7b70ab-3dcc-48f4-a6f6-63a493f6134c', type: 'message' },
			reference: 'order-1234',
			tags: ['order-update', 'vip customer'],
			scheduledFor: when.toISOString(),
			validity: 3600,
		});
	});

	test('expressions are resolved per item, and every item gets its own output with pairedItem', async () => {
		const result = await send({ messageType: 'text', identifierValue: '={{ $json.phone }}', text: '=Hello {{ $json.name }}' }, [
			{ phone: '+31600000001', name: 'Ann' },
			{ phone: '+31600000002', name: 'Bob' },
		]);
		expect(result.error).toBeUndefined();
		const texts = server.requests.map((r) => [((r.body as IDataObject).receiver as { contacts: IDataObject[] }).contacts[0].identifierValue, ((r.body as { body: { text: { text: string } } }).body.text.text)]);
		expect(texts.sort()).toEqual([
			['+31600000001', 'Hello Ann'],
			['+31600000002', 'Hello Bob'],
		]);
		expect(result.outputs[0]).toHaveLength(2);
		expect(result.outputs[0].map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		expect(result.outputs[0].every((item) => String(item.json.id).startsWith('msg-'))).toBe(true);
		expect(result.outputs[0][0].json.status).toBe('accepted');
	});
});
