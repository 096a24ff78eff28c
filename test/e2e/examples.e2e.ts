/**
 * End to end: the packed package installed into a real n8n, the example workflows of
 * examples/ run headless (`n8n execute`) against the Bird sandbox; asserts what the sandbox
 * received and what n8n output.
 */
import type { IDataObject } from 'n8n-workflow';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import type { ExecutionResult, N8nInstance } from '../../scripts/n8n';
import { ensureN8n, executeWorkflow, importInto, installPackage, n8nInstance, packPackage, ROOT } from '../../scripts/n8n';
import { BirdSandbox, SANDBOX } from '../../scripts/sandbox/server';

let sandbox: BirdSandbox;
let n8n: N8nInstance;
let userFolder: string;

beforeAll(async () => {
	const cli = ensureN8n();
	userFolder = mkdtempSync(path.join(tmpdir(), 'n8n-bird-e2e-'));
	installPackage(userFolder, packPackage());
	sandbox = await new BirdSandbox().start();
	n8n = n8nInstance(cli, userFolder);
	await importInto(n8n, 'credentials', [
		{
			id: 'birdSandboxCred1',
			name: 'Bird sandbox',
			type: 'birdApi',
			data: { apiKey: SANDBOX.accessKey, workspaceId: SANDBOX.workspaceId, baseUrl: sandbox.url },
		},
	]);
	const examples = readdirSync(path.join(ROOT, 'examples')).filter((name) => name.endsWith('.json'));
	await importInto(n8n, 'workflow', examples.map((name) => JSON.parse(readFileSync(path.join(ROOT, 'examples', name), 'utf8'))));
}, 15 * 60_000);

afterAll(async () => {
	await sandbox?.stop();
	if (userFolder) rmSync(userFolder, { recursive: true, force: true });
});

beforeEach(() => {
	sandbox.messages.length = 0;
	sandbox.log.length = 0;
});

function outputOf(result: ExecutionResult, node: string, output = 0): IDataObject[] {
	const task = result.run?.data.resultData.runData[node]?.[0];
	return (task?.data?.main[output] ?? []).map((item) => item.json as IDataObject);
}

function succeeded(result: ExecutionResult) {
	if (result.status !== 0 || result.run?.status !== 'success') {
		throw new Error(`the workflow did not succeed (exit ${result.status}):\n${result.output.slice(-3000)}`);
	}
}

const outgoing = () => sandbox.messages.filter((message) => message.direction === 'outgoing');

test('send every message type: Bird accepts each, and each body is the documented shape', async () => {
	const result = await executeWorkflow(n8n, 'birdExampleSend1');
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
	const result = await executeWorkflow(n8n, 'birdExampleWindow');
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
	const result = await executeWorkflow(n8n, 'birdExampleConvo1');
	succeeded(result);
	const [conversation] = outputOf(result, 'Create Conversation');
	expect(conversation).toMatchObject({ name: 'Order 1234', status: 'active', attributes: { orderId: '1234' } });
	const stored = sandbox.conversations.get(String(conversation.id));
	expect(stored?.messages.map((message) => (message.body as IDataObject).type)).toEqual(['text', 'location']);
	expect(outputOf(result, 'Reply')[0]).toMatchObject({ conversationId: conversation.id, status: 'accepted' });
});
