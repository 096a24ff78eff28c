/**
 * End to end: the packed package installed into a real n8n, the example workflows of
 * examples/ run headless (`n8n execute`) against the Bird sandbox; asserts what the sandbox
 * received and what n8n output.
 */
import type { IDataObject } from 'n8n-workflow';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

import { executeWorkflow, ROOT } from '../../scripts/n8n';
import { SANDBOX } from '../../scripts/sandbox/server';
import { outputOf, succeeded, useN8nWithSandbox } from './n8n-with-sandbox';

const setup = useN8nWithSandbox(() =>
	readdirSync(path.join(ROOT, 'examples'))
		.filter((name) => name.endsWith('.json'))
		.map((name) => JSON.parse(readFileSync(path.join(ROOT, 'examples', name), 'utf8')) as unknown),
);

const outgoing = () => setup.sandbox.messages.filter((message) => message.direction === 'outgoing');

test('send every message type: Bird accepts each, and each body is the documented shape', async () => {
	const result = await executeWorkflow(setup.n8n, 'birdExampleSend1');
	succeeded(result);
	const sent = outgoing();
	expect(sent.map((message) => (message.body as IDataObject | undefined)?.type ?? 'template')).toEqual([
		'text',
		'image',
		'file',
		'location',
		'list',
		'carousel',
		'template',
		'html',
	]);
	expect(sent[0].body).toEqual({
		type: 'text',
		text: {
			text: 'Hello from n8n! Reply STOP to opt out.',
			actions: [
				{ type: 'reply', reply: { text: 'Track order' } },
				{ type: 'postback', postback: { text: 'Talk to us', payload: 'agent' } },
			],
		},
	});
	expect(sent[6].template).toEqual({
		projectId: SANDBOX.templateProjectId,
		version: 'latest',
		locale: 'en',
		parameters: [{ type: 'string', key: 'name', value: 'Joe' }],
	});
	expect(sent[7].receiver).toEqual({ contacts: [{ identifierKey: 'emailaddress', identifierValue: 'jane@example.com' }] });
	expect(outputOf(result, 'Send HTML email')[0]).toMatchObject({ id: sent[7].id, status: 'accepted' });
	expect(result.output).not.toContain(SANDBOX.accessKey);
});

test('check the window, then a free-form reply to Jane (open) and a template to Joe (closed)', async () => {
	const result = await executeWorkflow(setup.n8n, 'birdCheckWindow1');
	succeeded(result);
	expect(outputOf(result, 'Check Service Window', 0).map((item) => item.name)).toEqual(['Jane']);
	expect(outputOf(result, 'Check Service Window', 1).map((item) => item.name)).toEqual(['Joe']);
	expect(outputOf(result, 'Check Service Window', 1)[0].serviceWindow).toMatchObject({ isOpen: false, reason: 'expired', recommendedMessageType: 'template' });
	const sent = outgoing().map((message) => ({
		to: (message.receiver as { contacts: IDataObject[] }).contacts[0].identifierValue,
		text: (message.body as { text?: { text: string } } | undefined)?.text?.text,
		template: (message.template as IDataObject | undefined)?.projectId,
	}));
	expect(sent).toEqual(
		expect.arrayContaining([
			{ to: SANDBOX.openContact.phone, text: 'Hi Jane, thanks for your message! Your order ships today.', template: undefined },
			{ to: SANDBOX.closedContact.phone, text: undefined, template: SANDBOX.templateProjectId },
		]),
	);
	expect(sent).toHaveLength(2);
});

test('create a conversation, then reply in it with a location', async () => {
	const result = await executeWorkflow(setup.n8n, 'birdConvoReply01');
	succeeded(result);
	const [conversation] = outputOf(result, 'Create Conversation');
	expect(conversation).toMatchObject({ name: 'Order 1234', status: 'active', attributes: { orderId: '1234' } });
	const stored = setup.sandbox.conversations.get(String(conversation.id));
	expect(stored?.messages.map((message) => (message.body as IDataObject).type)).toEqual(['text', 'location']);
	expect(outputOf(result, 'Reply')[0]).toMatchObject({ conversationId: conversation.id, status: 'accepted' });
});

test("send a picture and a PDF from a Code node's binary data: uploaded as Bird asks, then sent with Bird's mediaUrl", async () => {
	const result = await executeWorkflow(setup.n8n, 'birdFilesBinary1');
	succeeded(result);
	const uploads = [...setup.sandbox.media.uploads.values()].filter((upload) => upload.stored);
	expect(uploads.map((upload) => [upload.scope, upload.stored?.filename, upload.stored?.contentType]).sort()).toEqual([
		['channel-media', 'Invoice 1234.pdf', 'application/pdf'],
		['channel-media', 'parcel.png', 'image/png'],
	]);
	for (const upload of uploads) {
		expect(upload.stored?.parts.map((part) => part.name)).toEqual([...Object.keys(upload.formData), 'file']);
		expect(upload.stored?.headers.authorization).toBeUndefined();
	}
	const picture = uploads.find((upload) => upload.contentType === 'image/png')!;
	expect(picture.stored?.data.subarray(1, 4).toString()).toBe('PNG');
	const invoice = uploads.find((upload) => upload.contentType === 'application/pdf')!;
	expect(invoice.stored?.data.toString()).toMatch(/^%PDF-1\.1\n[\s\S]*\(Invoice 1234\)[\s\S]*%%EOF$/);

	const media = (id: string) => `${setup.sandbox.url}/_media/${id}`;
	const bodies = outgoing().map((message) => message.body);
	expect(bodies).toEqual(
		expect.arrayContaining([
			{ type: 'image', image: { images: [{ mediaUrl: media(picture.id), altText: 'Your parcel' }], text: 'Hi Jane, this is your parcel.' } },
			{ type: 'file', file: { files: [{ mediaUrl: media(invoice.id), contentType: 'application/pdf', filename: 'Invoice 1234.pdf' }], text: 'Your invoice for order 1234' } },
		]),
	);
	expect(bodies).toHaveLength(2);
	expect(result.output).not.toContain(SANDBOX.accessKey);
});

test('smart send: Jane (window open) gets the text, Joe (closed) the template, and each output says which', async () => {
	const result = await executeWorkflow(setup.n8n, 'birdSmartSend001');
	succeeded(result);
	expect(outputOf(result, 'Send, or the template').map((item) => [item.sentAs, (item.serviceWindow as IDataObject).reason])).toEqual([
		['free-form', 'open'],
		['template', 'expired'],
	]);
	const sent = outgoing().map((message) => ({
		to: (message.receiver as { contacts: IDataObject[] }).contacts[0].identifierValue,
		text: (message.body as { text?: { text: string } } | undefined)?.text?.text,
		template: message.template,
	}));
	expect(sent).toEqual([
		{ to: SANDBOX.openContact.phone, text: 'Hi Jane, your order ships today.', template: undefined },
		{ to: SANDBOX.closedContact.phone, text: undefined, template: { projectId: SANDBOX.templateProjectId, version: 'latest', locale: 'en', parameters: [{ type: 'string', key: 'name', value: 'Joe' }] } },
	]);
});

test('sync a contact, send, check the status: the Bird Channels node upserts Jane, Send Message writes, the status is read back', async () => {
	const result = await executeWorkflow(setup.n8n, 'birdSyncContact1');
	succeeded(result);
	const [synced] = outputOf(result, 'Sync contact');
	expect(synced).toMatchObject({ created: false });
	const [sent] = outputOf(result, 'Send Message');
	const [checked] = outputOf(result, 'Check status');
	expect(checked).toMatchObject({ id: sent.id, channelId: SANDBOX.channels.whatsapp });
	expect(typeof checked.status).toBe('string');
	expect(outgoing().map((message) => message.id)).toEqual([sent.id]);
	expect(result.output).not.toContain(SANDBOX.accessKey);
});
