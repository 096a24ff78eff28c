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
const setup = useN8nWithSandbox(() => [load('test', 'e2e', 'fixtures', 'saved-0.1.0.json'), load('examples', 'bulk-send-in-batches.json')]);

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
