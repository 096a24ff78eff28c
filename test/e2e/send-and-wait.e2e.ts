/**
 * Send and Wait for a Response in a real n8n (server mode), against the sandbox: a workflow asks
 * a customer (n8n's Webhook node starts it with the phone number), waits in n8n's database, and
 * resumes on the answer. Answers come back through the published workflow whose Bird Channels
 * Trigger has Message Received on the channel: a tap on a button, a typed answer, a link on SMS.
 * Wrong contacts, second answers, a restart while waiting and the timeout; then many waiting at
 * once on one channel, each resumed by its own contact's tap.
 */
import type { IDataObject } from 'n8n-workflow';

import { BirdSandbox, SANDBOX } from '../../scripts/sandbox/server';
import type { Execution, RunningN8n } from './n8n-server';
import { eventually, executionsOf, runDataOf, startN8nServer } from './n8n-server';
import { sandboxCredential } from './n8n-with-sandbox';

const sandbox = new BirdSandbox();
let n8n: RunningN8n;
const credentials = { birdChannelsApi: { id: 'birdSandboxCred1', name: 'Bird sandbox' } };
const WA: IDataObject = { __rl: true, mode: 'id', value: SANDBOX.channels.whatsapp };
const SMS: IDataObject = { __rl: true, mode: 'id', value: SANDBOX.channels.sms };
/** How many executions wait at once in the volume test (1,000 in the benchmark run; fewer in CI). */
const MANY = Number(process.env.BIRD_WAITING_EXECUTIONS ?? 100);

/** A workflow started by n8n's Webhook node at /webhook/<path>, asking `{{ $json.body.phone }}` and replying with what it got. */
function askWorkflow(id: string, path: string, ask: IDataObject, channel = WA) {
	return {
		id,
		name: `Ask (${path})`,
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			{ id: `${id}-1`, name: 'Start', type: 'n8n-nodes-base.webhook', typeVersion: 2, position: [0, 0], webhookId: `${id}-hook`, parameters: { httpMethod: 'POST', path, responseMode: 'onReceived', options: {} } },
			{
				id: `${id}-2`,
				name: 'Ask',
				type: 'n8n-nodes-bird.birdSendMessage',
				typeVersion: 1.1,
				position: [250, 0],
				credentials,
				parameters: { operation: 'sendAndWait', channelId: channel, identifierValue: '={{ $json.body.phone }}', ...ask },
			},
			{
				id: `${id}-3`,
				name: 'Tell',
				type: 'n8n-nodes-bird.birdSendMessage',
				typeVersion: 1.1,
				position: [500, 0],
				credentials,
				parameters: {
					channelId: channel,
					identifierValue: `={{ $('Start').item.json.body.phone }}`,
					messageType: 'text',
					text: '={{ $json.data.timedOut ? "No answer" : $json.data.approved === true ? "Confirmed" : $json.data.approved === false ? "Cancelled" : "You said: " + $json.data.text }}',
				},
			},
		],
		connections: { Start: { main: [[{ node: 'Ask', type: 'main', index: 0 }]] }, Ask: { main: [[{ node: 'Tell', type: 'main', index: 0 }]] } },
	};
}

const APPROVAL = { message: 'Can you make it on Tuesday at 10:00?', responseType: 'approval', approvalOptions: { values: { approvalType: 'double', approveLabel: '✓ Yes', disapproveLabel: '✗ No' } } };

/** The published workflow that routes answers: Bird Channels Trigger, Message Received on WhatsApp and SMS. */
function routerWorkflow(id: string, channel: IDataObject) {
	return {
		id,
		name: `Answers (${id})`,
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			{ id: `${id}-1`, name: 'Bird Trigger', type: 'n8n-nodes-bird.birdTrigger', typeVersion: 2, position: [0, 0], webhookId: `${id}-hook`, credentials, parameters: { channelId: channel, events: ['inbound'], options: {} } },
			{ id: `${id}-2`, name: 'Other messages', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [250, 0], parameters: {} },
		],
		connections: { 'Bird Trigger': { main: [[{ node: 'Other messages', type: 'main', index: 0 }]] } },
	};
}

const WORKFLOWS = [
	askWorkflow('birdAskApproval', 'ask', APPROVAL),
	askWorkflow('birdAskText', 'ask-text', { message: 'Which day suits you?', responseType: 'freeText' }),
	askWorkflow('birdAskSms', 'ask-sms', APPROVAL, SMS),
	askWorkflow('birdAskTimeout', 'ask-timeout', { ...APPROVAL, options: { limitWaitTime: { values: { limitType: 'atSpecifiedTime', maxDateAndTime: '={{ $now.plus(5, "seconds").toISO() }}' } } } }),
	routerWorkflow('birdRouterWa', WA),
	routerWorkflow('birdRouterSms', SMS),
];

beforeAll(async () => {
	await sandbox.start();
	n8n = await startN8nServer({
		prepare: async (instance) => {
			const { importInto, publishWorkflow } = await import('../../scripts/n8n');
			await importInto(instance, 'credentials', [sandboxCredential(sandbox.url)]);
			await importInto(instance, 'workflow', WORKFLOWS);
			for (const workflow of WORKFLOWS) {
				await publishWorkflow(instance, workflow.id);
			}
		},
	});
	await eventually('the triggers to subscribe', () => (sandbox.webhooks.subscriptions.length === 2 ? true : undefined), 90_000);
}, 15 * 60_000);

afterAll(async () => {
	await n8n?.stop();
	await sandbox.stop();
});

/** A customer who wrote within the last 24 hours: WhatsApp takes free-form messages to them. */
function windowOpen(phone: string): void {
	const contact = sandbox.upsertContact('phonenumber', phone);
	sandbox.windows.set(`${SANDBOX.channels.whatsapp}|${contact.id}`, Date.now() + 3_600_000);
}

/** Starts the workflow at `path` for `phone`; the question Bird received for it, once it is sent. */
async function ask(path: string, phone: string, channelId: string = SANDBOX.channels.whatsapp): Promise<IDataObject> {
	windowOpen(phone);
	const before = questionsTo(phone, channelId).length;
	const started = await fetch(`${n8n.url}/webhook/${path}`, { method: 'POST', headers: { 'content-type': 'application/json', connection: 'close' }, body: JSON.stringify({ phone }) });
	expect(started.status).toBe(200);
	return (await eventually(`the question to ${phone}`, () => questionsTo(phone, channelId)[before])) as unknown as IDataObject;
}

const questionsTo = (phone: string, channelId: string) =>
	sandbox.messages.filter(
		(message) =>
			message.direction === 'outgoing' &&
			message.channelId === channelId &&
			String(message.reference ?? '').startsWith('n8n-wait:') &&
			((message.receiver as { contacts: Array<{ identifierValue: string }> }).contacts[0]?.identifierValue === phone),
	);
const textsTo = (phone: string) =>
	sandbox.messages
		.filter((message) => message.direction === 'outgoing' && (message.receiver as { contacts?: Array<{ identifierValue: string }> })?.contacts?.[0]?.identifierValue === phone)
		.map((message) => String(((message.body as IDataObject | undefined)?.text as IDataObject | undefined)?.text ?? ''));

async function waitingOf(workflowId: string): Promise<Execution[]> {
	return (await executionsOf(n8n, workflowId)).filter((execution) => execution.status === 'waiting');
}

async function outcomeOf(workflowId: string, phone: string): Promise<IDataObject> {
	return await eventually(`the answer of ${phone}`, async () => {
		for (const execution of await executionsOf(n8n, workflowId)) {
			if (execution.status !== 'success') continue;
			const data = await runDataOf(n8n, execution.id);
			const tell = data.Tell?.[0]?.[0];
			if (tell && JSON.stringify(data.Start).includes(phone)) return { ...(data.Ask?.[0]?.[0] ?? {}), executionId: execution.id };
		}
		return undefined;
	}, 60_000);
}

test('the question goes out with the buttons, each carrying its resume URL, and the execution waits', async () => {
	const question = await ask('ask', '+31611110001');
	const actions = (((question.body as IDataObject).text as IDataObject).actions ?? []) as Array<{ postback: { text: string; payload: string } }>;
	expect(actions.map((action) => action.postback.text)).toEqual(['✓ Yes', '✗ No']);
	expect(actions[0].postback.payload).toMatch(new RegExp(`^${n8n.url}/webhook-waiting/\\d+/[\\w-]+\\?approved=true&signature=[0-9a-f]{64}$`));
	expect(actions[1].postback.payload).toMatch(/approved=false&signature=/);
	expect(String(question.reference)).toBe(`n8n-wait:a:${actions[0].postback.payload}`);
	await eventually('the execution to wait', async () => ((await waitingOf('birdAskApproval')).length ? true : undefined));
});

test('a tap on "✓ Yes": the execution resumes with approved true and goes on; the tap starts nothing else', async () => {
	const phone = '+31611110002';
	const question = await ask('ask', phone);
	await eventually('waiting', async () => ((await waitingOf('birdAskApproval')).length ? true : undefined));
	const routerRuns = (await executionsOf(n8n, 'birdRouterWa')).length;
	await sandbox.tap({ messageId: String(question.id), button: '✓ Yes' });
	const asked = await outcomeOf('birdAskApproval', phone);
	expect(asked.data).toMatchObject({ approved: true, answeredVia: 'chat', text: '✓ Yes' });
	await eventually('the confirmation', () => (textsTo(phone).includes('Confirmed') ? true : undefined));
	expect((await executionsOf(n8n, 'birdRouterWa')).length).toBe(routerRuns);
	// A second tap changes nothing and starts nothing.
	await sandbox.tap({ messageId: String(question.id), button: '✗ No' });
	await new Promise((resolve) => setTimeout(resolve, 2000));
	expect(textsTo(phone).filter((text) => text === 'Confirmed' || text === 'Cancelled')).toEqual(['Confirmed']);
	expect((await executionsOf(n8n, 'birdRouterWa')).length).toBe(routerRuns);
});

test('a typed "no" answers the approval; a message from another contact answers nothing and starts the router as usual', async () => {
	const phone = '+31611110003';
	await ask('ask', phone);
	const routerRuns = (await executionsOf(n8n, 'birdRouterWa')).length;
	await sandbox.inbound({ identifierValue: '+31611119999', text: 'no' });
	await eventually('the router to run for the stranger', async () => ((await executionsOf(n8n, 'birdRouterWa')).length === routerRuns + 1 ? true : undefined));
	await sandbox.inbound({ identifierValue: phone, text: 'No' });
	const asked = await outcomeOf('birdAskApproval', phone);
	expect(asked.data).toMatchObject({ approved: false, answeredVia: 'chat', text: 'No' });
	expect((await executionsOf(n8n, 'birdRouterWa')).length).toBe(routerRuns + 1);
});

test("Free Text: the contact's next message is the answer", async () => {
	const phone = '+31611110004';
	await ask('ask-text', phone);
	await sandbox.inbound({ identifierValue: phone, text: 'Thursday after 3 works' });
	const asked = await outcomeOf('birdAskText', phone);
	expect(asked.data).toMatchObject({ text: 'Thursday after 3 works', answeredVia: 'chat' });
	await eventually('the echo', () => (textsTo(phone).includes('You said: Thursday after 3 works') ? true : undefined));
});

test('by link on SMS: the links open a page of this n8n; confirming resumes; opening it again says nothing is needed', async () => {
	const phone = '+31611110005';
	const question = await ask('ask-sms', phone, SANDBOX.channels.sms);
	const text = String(((question.body as IDataObject).text as IDataObject).text);
	const [, yes] = /✓ Yes: (\S+)/.exec(text) ?? [];
	expect(yes).toMatch(/webhook-waiting/);
	const browser = { 'user-agent': 'Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/126 Mobile Safari/537.36', connection: 'close' };
	// A link preview fetches the link without answering.
	expect((await fetch(yes, { headers: { 'user-agent': 'WhatsApp/2.23.20.0', connection: 'close' } })).status).toBe(204);
	const page = await fetch(yes, { headers: browser });
	expect(page.status).toBe(200);
	expect(await page.text()).toContain('✓ Yes');
	const confirmed = await fetch(yes, { method: 'POST', headers: { ...browser, 'content-type': 'application/x-www-form-urlencoded' }, body: 'confirmed=1' });
	expect(await confirmed.text()).toContain('Got it, thanks');
	const asked = await outcomeOf('birdAskSms', phone);
	expect(asked.data).toMatchObject({ approved: true, answeredVia: 'link' });
	const again = await fetch(yes, { headers: browser });
	expect(await again.text()).toMatch(/No action required|already/i);
});

test('n8n restarts while the execution waits: a tap afterwards still resumes it', async () => {
	const phone = '+31611110006';
	const question = await ask('ask', phone);
	await eventually('waiting', async () => ((await waitingOf('birdAskApproval')).length ? true : undefined));
	await n8n.restart();
	await eventually('the trigger to take deliveries again', async () => {
		const status = (await fetch(`${n8n.url}/webhook/birdRouterWa-hook/webhook`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json', connection: 'close' } })).status;
		return status === 401 ? true : undefined;
	}, 60_000);
	await sandbox.tap({ messageId: String(question.id), button: '✗ No' });
	const asked = await outcomeOf('birdAskApproval', phone);
	expect(asked.data).toMatchObject({ approved: false });
});

test('Limit Wait Time: without an answer the execution goes on, its output saying it timed out', async () => {
	const phone = '+31611110007';
	await ask('ask-timeout', phone);
	// n8n looks for executions to resume every minute.
	const asked = await eventually('the timeout', async () => {
		for (const execution of await executionsOf(n8n, 'birdAskTimeout')) {
			if (execution.status !== 'success') continue;
			return (await runDataOf(n8n, execution.id)).Ask?.[0]?.[0];
		}
		return undefined;
	}, 150_000);
	expect(asked?.data).toMatchObject({ timedOut: true, approved: false });
	await eventually('the "No answer" message', () => (textsTo(phone).includes('No answer') ? true : undefined));
}, 200_000);

test(`${MANY} executions waiting on one channel, each resumed by its own contact's tap, none by another's`, async () => {
	const phones = Array.from({ length: MANY }, (_, n) => `+3162${String(n).padStart(7, '0')}`);
	for (const phone of phones) windowOpen(phone);
	const started = Date.now();
	for (let n = 0; n < phones.length; n += 20) {
		await Promise.all(phones.slice(n, n + 20).map(async (phone) => await fetch(`${n8n.url}/webhook/ask`, { method: 'POST', headers: { 'content-type': 'application/json', connection: 'close' }, body: JSON.stringify({ phone }) })));
	}
	const questions = await eventually('every question', () => {
		const all = phones.map((phone) => questionsTo(phone, SANDBOX.channels.whatsapp)[0]);
		return all.every(Boolean) ? all : undefined;
	}, 300_000);
	await eventually(`${MANY} waiting`, async () => ((await waitingOf('birdAskApproval')).length >= MANY ? true : undefined), 300_000);
	const askedIn = Date.now() - started;
	// Every other contact says yes, the others no.
	const answered = Date.now();
	for (let n = 0; n < questions.length; n += 20) {
		await Promise.all(questions.slice(n, n + 20).map(async (question, k) => await sandbox.tap({ messageId: String(question.id), button: (n + k) % 2 === 0 ? '✓ Yes' : '✗ No' })));
	}
	await eventually('every answer', () => (phones.every((phone) => textsTo(phone).some((text) => text === 'Confirmed' || text === 'Cancelled')) ? true : undefined), 300_000);
	const resumedIn = Date.now() - answered;
	phones.forEach((phone, n) => expect(textsTo(phone).filter((text) => text === 'Confirmed' || text === 'Cancelled')).toEqual([n % 2 === 0 ? 'Confirmed' : 'Cancelled']));
	console.log(`${MANY} executions waiting on one channel: asked in ${(askedIn / 1000).toFixed(1)} s, all answered and resumed in ${(resumedIn / 1000).toFixed(1)} s; n8n's peak RSS ${n8n.peakRssMb?.() ?? '?'} MB`);
}, 900_000);

test("n8n 2.x offers Send Message and Reply as human review tools for its AI Agent (it generates them from the Send and Wait operation)", async () => {
	const major = Number(n8n.instance.runtime.version.split('.')[0]);
	const types = (await (await n8n.get('/types/nodes.json')).json()) as Array<{ name: string; codex?: { subcategories?: Record<string, string[]> } }>;
	const hitl = types.filter((type) => type.name.startsWith('n8n-nodes-bird.') && type.name.endsWith('HitlTool')).map((type) => type.name);
	if (major < 2) {
		// n8n 1.x has no human review of an agent's tool calls.
		expect(hitl).toEqual([]);
		return;
	}
	expect(hitl.sort()).toEqual(['n8n-nodes-bird.birdReplyHitlTool', 'n8n-nodes-bird.birdSendMessageHitlTool']);
	const tool = types.find((type) => type.name === 'n8n-nodes-bird.birdSendMessageHitlTool');
	expect(tool?.codex?.subcategories?.Tools).toContain('Human in the Loop');
});
