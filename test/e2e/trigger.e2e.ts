/**
 * End to end in a real n8n in server mode: the example workflow "answer incoming messages"
 * (Bird Trigger → Check Service Window → Reply, or Reply with the template when the window is
 * closed) is published, n8n subscribes it at the sandbox on start, and a customer writing in
 * through the sandbox gets an answer. Forged, stale and replayed deliveries start no
 * execution; deactivating the workflow removes its subscriptions.
 */
import type { IDataObject } from 'n8n-workflow';
import { BirdSandbox, SANDBOX } from '../../scripts/sandbox/server';
import { signature } from '../../scripts/sandbox/webhooks';
import type { Execution, RunningN8n } from './n8n-server';
import { eventually, executionsOf, runDataOf, startN8nServer } from './n8n-server';
import { publishExample } from './n8n-with-sandbox';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { importInto, ROOT } from '../../scripts/n8n';

const sandbox = new BirdSandbox();
let n8n: RunningN8n;
let example: IDataObject & { id: string; nodes: IDataObject[] };
let WEBHOOK_ID = '';

beforeAll(async () => {
	await sandbox.start();
	n8n = await startN8nServer({
		prepare: async (instance) => {
			example = await publishExample(instance, sandbox.url, 'answer-incoming-messages.json');
			await importInto(instance, 'workflow', [JSON.parse(readFileSync(path.join(ROOT, 'examples', 'confirm-the-appointment.json'), 'utf8'))]);
			WEBHOOK_ID = String(example.nodes.find((node) => node.type === 'n8n-nodes-bird.birdTrigger')?.webhookId);
		},
	});
	await eventually('the trigger to subscribe at the sandbox', () => (sandbox.webhooks.subscriptions.length === 2 ? true : undefined), 90_000);
}, 15 * 60_000);

afterAll(async () => {
	await n8n?.stop();
	await sandbox.stop();
});

const executions = async (): Promise<Execution[]> => await executionsOf(n8n, example.id);
const runData = async (id: string) => await runDataOf(n8n, id);

/** Waits until the workflow has `count` finished executions. */
async function finished(count: number): Promise<Execution[]> {
	return await eventually(`${count} finished executions`, async () => {
		const list = await executions();
		return list.length >= count && list.every((execution) => execution.status !== 'running' && execution.status !== 'new') ? list : undefined;
	});
}

const webhookUrl = () => `${n8n.url}/webhook/${WEBHOOK_ID}/webhook`;
const repliesTo = (phone: string) =>
	sandbox.messages.filter((message) => {
		const conversation = sandbox.conversations.get(String(message.conversationId));
		const contact = ((conversation?.featuredParticipants ?? []) as IDataObject[]).find((participant) => participant.type === 'contact');
		return message.direction === 'outgoing' && (contact?.contact as IDataObject | undefined)?.identifierValue === phone;
	});

test("activation subscribed n8n's webhook URL to both conversation events of the channel, with a signing key", () => {
	expect(sandbox.webhooks.subscriptions.map((subscription) => ({ ...subscription, signingKey: subscription.signingKey?.length }))).toEqual([
		expect.objectContaining({ service: 'conversations', event: 'conversation.created', url: webhookUrl(), eventFilters: [{ key: 'channelId', value: SANDBOX.channels.whatsapp }], signingKey: 44 }),
		expect.objectContaining({ service: 'conversations', event: 'conversation.updated', url: webhookUrl(), eventFilters: [{ key: 'channelId', value: SANDBOX.channels.whatsapp }], signingKey: 44 }),
	]);
});

test('Jane writes "Hi": the workflow checks her open window and answers free-form in her conversation', async () => {
	const inbound = await sandbox.inbound({ identifierValue: SANDBOX.openContact.phone, text: 'Hi' });
	const [reply] = await eventually('the answer to Jane', () => {
		const replies = repliesTo(SANDBOX.openContact.phone);
		return replies.length ? replies : undefined;
	});
	expect(reply).toMatchObject({
		conversationId: inbound.conversationId,
		body: { type: 'text', text: { text: `Hi ${SANDBOX.openContact.name}, thanks for your message "Hi". An agent will answer you shortly.` } },
		sender: { id: SANDBOX.accessKeyId, type: 'accessKey' },
	});
	const [execution] = await finished(1);
	expect(execution.status).toBe('success');
	const data = await runData(execution.id);
	expect(data['Bird Trigger'][0]).toEqual([
		expect.objectContaining({
			event: 'conversation.created',
			conversationId: inbound.conversationId,
			contact: { id: SANDBOX.openContact.id, identifierKey: 'phonenumber', identifierValue: SANDBOX.openContact.phone, name: SANDBOX.openContact.name },
			text: 'Hi',
		}),
	]);
	expect(data['Check Service Window'][0]).toEqual([expect.objectContaining({ serviceWindow: expect.objectContaining({ isOpen: true, reason: 'open' }) })]);
	expect(data['Check Service Window'][1]).toEqual([]);
	expect(data.Answer[0]).toEqual([expect.objectContaining({ id: reply.id, status: 'accepted' })]);
});

test('Joe writes, handled 25 hours late: his window has closed, so the answer is the template', async () => {
	const inbound = await sandbox.inbound({ identifierValue: SANDBOX.closedContact.phone, text: 'Hello?', late: true });
	const [reply] = await eventually('the answer to Joe', () => {
		const replies = repliesTo(SANDBOX.closedContact.phone);
		return replies.length ? replies : undefined;
	});
	expect(reply).toMatchObject({
		conversationId: inbound.conversationId,
		template: { projectId: SANDBOX.templateProjectId, locale: 'en', parameters: [{ type: 'string', key: 'name', value: SANDBOX.closedContact.name }] },
	});
	const list = await finished(2);
	const data = await runData(list[0].id);
	expect(data['Check Service Window'][1]).toEqual([expect.objectContaining({ serviceWindow: expect.objectContaining({ isOpen: false, reason: 'expired' }) })]);
});

test('forged, stale and replayed deliveries start no execution', async () => {
	const before = (await finished(2)).length;
	const subscription = sandbox.webhooks.subscriptions[1];
	const conversation = [...sandbox.conversations.values()][0];
	const body = JSON.stringify({ service: 'conversations', event: 'conversation.updated', payload: { ...conversation, messages: undefined } });
	const deliver = async (headers: Record<string, string>) =>
		(await fetch(webhookUrl(), { method: 'POST', body, headers: { 'content-type': 'application/json', connection: 'close', ...headers } })).status;
	const timestamp = (offset = 0) => String(Math.floor(Date.now() / 1000) + offset);

	const forged = timestamp();
	expect(await deliver({ 'messagebird-request-timestamp': forged, 'messagebird-signature': signature('guessed-key', forged, webhookUrl(), Buffer.from(body)) })).toBe(401);
	// Older than Max Delivery Age (24 hours by default): Bird's retries stop within a day.
	const stale = timestamp(-25 * 3600);
	expect(await deliver({ 'messagebird-request-timestamp': stale, 'messagebird-signature': signature(String(subscription.signingKey), stale, webhookUrl(), Buffer.from(body)) })).toBe(401);
	expect(await deliver({})).toBe(401);
	const replayed = await sandbox.webhooks.redeliver();
	expect(replayed?.attempts.at(-1)?.status).toBe(200);

	await new Promise((resolve) => setTimeout(resolve, 3000));
	expect(await executions()).toHaveLength(before);
	expect(n8n.log.join('\n')).toMatch(/refused a delivery \(401\): the signature does not match/);
});

/** A signed conversation.updated for a new message of Jane's, as Bird would deliver it (not through the sandbox's own delivery). */
function janeWritesAgain(text: string) {
	const conversation = [...sandbox.conversations.values()].find((candidate) =>
		((candidate.featuredParticipants ?? []) as IDataObject[]).some((participant) => participant.id === SANDBOX.openContact.id),
	) as IDataObject;
	const at = new Date().toISOString();
	const payload = {
		...conversation,
		messages: undefined,
		updatedAt: at,
		lastMessage: { id: `m-${Math.random().toString(36).slice(2)}`, type: 'text', createdAt: at, sender: { id: SANDBOX.openContact.id, type: 'contact' }, preview: { text } },
	};
	const body = JSON.stringify({ service: 'conversations', event: 'conversation.updated', payload });
	const stamp = String(Math.floor(Date.now() / 1000));
	const subscription = sandbox.webhooks.subscriptions.find((candidate) => candidate.event === 'conversation.updated');
	return {
		body,
		headers: { 'content-type': 'application/json', connection: 'close', 'messagebird-request-timestamp': stamp, 'messagebird-signature': signature(String(subscription?.signingKey), stamp, webhookUrl(), Buffer.from(body)) },
	};
}

test('the same new event delivered twice at the same moment: both answered 200, one execution, one answer', async () => {
	const before = (await executions()).length;
	const answersBefore = repliesTo(SANDBOX.openContact.phone).length;
	const { body, headers } = janeWritesAgain('twice at once');
	const statuses = await Promise.all([1, 2].map(async () => (await fetch(webhookUrl(), { method: 'POST', body, headers })).status));
	expect(statuses).toEqual([200, 200]);
	await finished(before + 1);
	await new Promise((resolve) => setTimeout(resolve, 2000));
	expect(await executions()).toHaveLength(before + 1);
	expect(repliesTo(SANDBOX.openContact.phone)).toHaveLength(answersBefore + 1);
});

test("n8n is down when Mia writes; after it restarted, Bird's retry with the first timestamp (3 hours old) is accepted and answered once", async () => {
	const mia = '+31611112222';
	let missed: ReturnType<typeof sandbox.webhooks.deliveries.at>;
	await n8n.restart(async () => {
		await sandbox.inbound({ identifierValue: mia, text: 'Anyone there?' });
		missed = sandbox.webhooks.deliveries.at(-1);
	});
	// Every attempt while n8n was down got no answer.
	expect(missed?.attempts.every((attempt) => attempt.status === 0)).toBe(true);
	await eventually('the trigger to take deliveries again', async () => ((await fetch(webhookUrl(), { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } })).status === 401 ? true : undefined), 60_000);
	const before = (await executions()).length;
	const retried = await sandbox.webhooks.redeliver(missed, { ageSeconds: 3 * 3600 });
	expect(retried?.attempts.at(-1)?.status).toBe(200);
	await eventually('the answer to Mia', () => (repliesTo(mia).length ? true : undefined));
	await finished(before + 1);
	// Bird retries once more (its answer got lost): no second answer.
	await sandbox.webhooks.redeliver(missed);
	await new Promise((resolve) => setTimeout(resolve, 2000));
	expect(repliesTo(mia)).toHaveLength(1);
});

test('after the restart, a repeat of an event accepted before it: the execution stops at Remove Duplicates, no second answer', async () => {
	const janeFirst = sandbox.webhooks.deliveries.find((delivery) => delivery.event === 'conversation.created' && delivery.attempts[0]?.status === 200);
	const answersBefore = repliesTo(SANDBOX.openContact.phone).length;
	const before = (await executions()).length;
	const repeated = await sandbox.webhooks.redeliver(janeFirst);
	expect(repeated?.attempts.at(-1)?.status).toBe(200);
	const list = await finished(before + 1);
	const data = await runData(list[0].id);
	expect(data['Skip repeats after a restart'][0]).toEqual([]);
	expect(repliesTo(SANDBOX.openContact.phone)).toHaveLength(answersBefore);
});

test('the example "confirm the appointment": run from the editor, it asks Jane and waits; her tap in the chat (through this workflow\'s trigger) sends it down the "Yes" branch', async () => {
	const answersBefore = repliesTo(SANDBOX.openContact.phone).length;
	const before = (await executions()).length;
	// As the editor's Execute Workflow asks (n8n 1.x also wants the workflow itself; 2.x reads it from its database).
	const workflowData = ((await (await n8n.rest('/workflows/birdConfirmAppt1')).json()) as { data: IDataObject }).data;
	const run = await n8n.rest('/workflows/birdConfirmAppt1/run', { method: 'POST', body: JSON.stringify({ workflowData, triggerToStartFrom: { name: 'Start' } }) });
	expect({ status: run.status, body: run.status === 200 ? '' : await run.text() }).toEqual({ status: 200, body: '' });
	const question = await eventually('the question to Jane', () =>
		sandbox.messages.find((message) => message.direction === 'outgoing' && String(message.reference ?? '').startsWith('n8n-wait:a:')),
	);
	const waiting = await eventually('the execution to wait', async () => (await executionsOf(n8n, 'birdConfirmAppt1')).find((execution) => execution.status === 'waiting'));
	await sandbox.tap({ messageId: question.id, button: '✓ Yes' });
	await eventually('the confirmation', () =>
		sandbox.messages.some((message) => ((message.body as IDataObject | undefined)?.text as IDataObject | undefined)?.text === 'Great, see you on Tuesday at 10:00!') ? true : undefined,
	);
	const done = await eventually('the run to finish', async () => (await executionsOf(n8n, 'birdConfirmAppt1')).find((execution) => execution.id === waiting.id && execution.status === 'success'));
	expect((await runDataOf(n8n, done.id))['Ask Jane'][0][0]).toMatchObject({ data: { approved: true, answeredVia: 'chat' } });
	// The tap was an answer: the published workflow did not answer it as a new message.
	await new Promise((resolve) => setTimeout(resolve, 2000));
	expect((await executions()).length).toBe(before);
	expect(repliesTo(SANDBOX.openContact.phone)).toHaveLength(answersBefore);
});

test("the access key appears nowhere in n8n's output", () => {
	expect(n8n.log.join('\n')).not.toContain(SANDBOX.accessKey);
});

test("deactivating the workflow deletes its subscriptions at Bird's end", async () => {
	const response = await n8n.rest(`/workflows/${example.id}/deactivate`, { method: 'POST', body: '{}' });
	expect(response.status).toBe(200);
	await eventually('the subscriptions to be deleted', () => (sandbox.webhooks.subscriptions.length === 0 ? true : undefined));
	expect(sandbox.log.filter((entry) => entry.method === 'DELETE').map((entry) => entry.status)).toEqual([204, 204]);
});
