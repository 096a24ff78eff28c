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
	const result = await executeWorkflow(setup.n8n, 'birdExampleWindow');
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
	const result = await executeWorkflow(setup.n8n, 'birdExampleConvo1');
	succeeded(result);
	const [conversation] = outputOf(result, 'Create Conversation');
	expect(conversation).toMatchObject({ name: 'Order 1234', status: 'active', attributes: { orderId: '1234' } });
	const stored = setup.sandbox.conversations.get(String(conversation.id));
	expect(stored?.messages.map((message) => (message.body as IDataObject).type)).toEqual(['text', 'location']);
	expect(outputOf(result, 'Reply')[0]).toMatchObject({ conversationId: conversation.id, status: 'accepted' });
});
