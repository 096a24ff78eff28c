/**
 * End to end, headless in a real n8n: a workflow saved with the 0.1.0 nodes (declarative, with
 * n8n's "Request Options" stored on them) runs unchanged on the programmatic executor; and the
 * bulk example sends 250 messages in batch mode, which the sandbox receives as 3 batches.
 */
import type { IDataObject } from 'n8n-workflow';
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { executeWorkflow, ROOT } from '../../scripts/n8n';
import { SANDBOX } from '../../scripts/sandbox/server';
import { outputOf, succeeded, useN8nWithSandbox } from './n8n-with-sandbox';

const load = (...parts: string[]) => JSON.parse(readFileSync(path.join(ROOT, ...parts), 'utf8')) as unknown;
/** 40 customers with awkward fields; Send Message in batches, its expressions some the package reads itself and some n8n evaluates. */
const CUSTOMERS = Array.from({ length: 40 }, (_, n) => ({
	phone: ` +3162${String(n).padStart(7, '0')} `,
	'E-mail': n % 5 === 0 ? null : `c${n}@example.com`,
	name: n % 7 === 0 ? 'Zoë 🌷' : `Customer ${n}`,
	order: { id: 1000 + n, items: [{ sku: `SKU-${n}` }] },
	vip: n % 3 === 0,
}));
const mixedExpressions = {
	id: 'birdMixedExpressions',
	name: 'Mixed expressions (fast and n8n)',
	active: false,
	settings: { executionOrder: 'v1' },
	connections: { Start: { main: [[{ node: 'Customers', type: 'main', index: 0 }]] }, Customers: { main: [[{ node: 'Send', type: 'main', index: 0 }]] } },
	nodes: [
		{ id: 'm1', name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
		{ id: 'm2', name: 'Customers', type: 'n8n-nodes-base.code', typeVersion: 2, position: [200, 0], parameters: { jsCode: `return ${JSON.stringify(CUSTOMERS.map((json) => ({ json })))};` } },
		{
			id: 'm3',
			name: 'Send',
			type: 'n8n-nodes-bird.birdSendMessage',
			typeVersion: 1.1,
			position: [400, 0],
			credentials: { birdChannelsApi: { id: 'birdSandboxCred1', name: 'Bird sandbox' } },
			parameters: {
				sendMode: 'batch',
				channelId: { __rl: true, mode: 'id', value: SANDBOX.channels.sms },
				// n8n evaluates this one (a method call); the text and the reference the package reads itself.
				identifierValue: '={{ $json.phone.trim() }}',
				messageType: 'text',
				text: '=Hi {{ $json.name }}, order {{ $json.order.id }} ({{ $json.order.items[0].sku }}) ships today. VIP: {{ $json.vip }}. Mail: {{ $json["E-mail"] }}',
				options: { reference: '=order-{{ $json.order.id }}' },
			},
		},
	],
};
const setup = useN8nWithSandbox(() => [load('test', 'e2e', 'fixtures', 'saved-0.1.0.json'), load('examples', 'bulk-send-in-batches.json'), mixedExpressions]);

const outgoing = () => setup.sandbox.messages.filter((message) => message.direction === 'outgoing');

test('a workflow saved with the 0.1.0 nodes runs unchanged: same bodies, Request Options ignored', async () => {
	const result = await executeWorkflow(setup.n8n, 'birdSaved010');
	succeeded(result);
	const byTo = (phone: string) =>
		outgoing().filter((message) => ((message.receiver as { contacts?: IDataObject[] } | undefined)?.contacts ?? [])[0]?.identifierValue === phone);
	expect(byTo(SANDBOX.openContact.phone)[0]).toMatchObject({
		body: {
			type: 'text',
			text: {
				text: 'Hi Jane!',
				actions: [
					{ type: 'reply', reply: { text: 'Thanks' } },
					{ type: 'link', link: { text: 'Track', url: 'https://example.com/track' } },
				],
				metadata: { whatsapp: { previewUrl: true } },
			},
		},
		reference: 'saved-Jane',
		tags: ['saved', 'v010'],
	});
	expect(byTo(SANDBOX.closedContact.phone)[0]).toMatchObject({
		template: { projectId: SANDBOX.templateProjectId, version: 'latest', locale: 'nl', parameters: [{ type: 'string', key: 'name', value: 'Joe' }] },
	});
	const [conversation] = outputOf(result, 'Open conversation');
	expect(conversation).toMatchObject({ name: 'Saved 0.1.0', visibility: 'private', attributes: { source: 'saved' } });
	const stored = setup.sandbox.conversations.get(String(conversation.id));
	expect(stored?.messages.map((message) => (message.body as IDataObject).type)).toEqual(['image', 'list']);
	expect((stored?.messages[1].body as IDataObject).list).toMatchObject({
		text: 'Pick a slot',
		items: [
			{ title: 'Morning', actions: [expect.objectContaining({ type: 'postback' }), expect.objectContaining({ type: 'postback' })] },
			{ title: 'Evening', actions: [expect.objectContaining({ type: 'postback' })] },
		],
		metadata: { button: { label: 'Slots' } },
	});
	expect(outputOf(result, 'Reply')[0]).toMatchObject({ conversationId: conversation.id, status: 'accepted', reference: 'slots' });
	expect(result.output).not.toContain(SANDBOX.accessKey);
});

test('the bulk example: 250 messages in 3 batch requests, each item validated and paired, each message accepted once', async () => {
	const result = await executeWorkflow(setup.n8n, 'birdExampleBulk1');
	succeeded(result);
	const batches = setup.sandbox.log.filter((entry) => entry.method === 'POST' && entry.path.endsWith('/batch/messages'));
	expect(batches.map((entry) => entry.status)).toEqual([202, 202, 202]);
	const texts = outgoing().map((message) => String(((message.body as IDataObject).text as IDataObject).text));
	expect(texts).toHaveLength(250);
	expect(new Set(texts).size).toBe(250);
	expect(outgoing().every((message) => message.status === 'sent' && (message.tags as string[])[0] === 'summer-sale')).toBe(true);
	const items = outputOf(result, 'Send in batches');
	expect(items).toHaveLength(250);
	expect(items.every((item) => item.validated === true && typeof item.batchId === 'string')).toBe(true);
	expect(items.slice(98, 102).map((item) => item.batchPosition)).toEqual([98, 99, 0, 1]);
	expect(outputOf(result, 'Send in batches', 1)).toEqual([]);
});

test('expressions the package reads itself and ones n8n evaluates, mixed in one saved workflow: Bird gets what n8n would have sent', async () => {
	const result = await executeWorkflow(setup.n8n, 'birdMixedExpressions');
	succeeded(result);
	const sent = outgoing();
	expect(sent).toHaveLength(CUSTOMERS.length);
	// What n8n's own rules give: null as '', booleans as words, unicode as it is.
	const expected = CUSTOMERS.map((customer) => ({
		to: customer.phone.trim(),
		text: `Hi ${customer.name}, order ${customer.order.id} (${customer.order.items[0].sku}) ships today. VIP: ${customer.vip}. Mail: ${customer['E-mail'] ?? ''}`,
		reference: `order-${customer.order.id}`,
	}));
	const got = sent.map((message) => ({
		to: ((message.receiver as { contacts: IDataObject[] }).contacts[0].identifierValue as string),
		text: String(((message.body as IDataObject).text as IDataObject).text),
		reference: message.reference,
	}));
	expect(got).toEqual(expected);
	expect(outputOf(result, 'Send').every((item) => item.batchId && item.reference)).toBe(true);
});
